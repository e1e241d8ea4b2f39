/*
 * The purchase journey (docs/journey.md): identify with email or phone, enter the one-time code,
 * pick how to pay, approve, or close. One page for every journey subject kind (the last path
 * segment: /kp/v1/journey/{kind}).
 *
 * Embedded (opened by the JS SDK's authorize/reauthorize/finalize in a modal iframe): the SDK sends
 * the client_token and the merchant's data with postMessage, and the outcome goes back the same way
 * as Klarna's authorize callback. Redirect (opened as a link: a v2 payment request's
 * payment_request_url): the credential is in the URL fragment (#t=…) or query (?t=…), and the
 * outcome's redirect_url (the partner's return_url) is where the browser goes at the end.
 */
(function (K) {
  'use strict';

  var h = K.h;
  var app = document.getElementById('app');
  var closeButton = document.getElementById('close');
  var kind = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');

  var s = {
    credential: null,
    init: {},
    ctx: null,
    identity: null,
    sentTo: '',
    hint: '',
    code: null,
    category: null,
    plan: null,
    done: false,
    busy: false,
  };

  // ---- small pieces ------------------------------------------------------------------------

  function money(minor) {
    return K.money(minor, s.ctx.purchase_currency, s.ctx.locale);
  }

  function merchant() {
    return (s.ctx && s.ctx.merchant_name) || 'the store';
  }

  function errorArea(id) {
    return h('p', { id: id, class: 'error', role: 'alert', hidden: true });
  }

  function showError(area, input, text) {
    area.textContent = text;
    area.hidden = false;
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }

  function clearError(area, input) {
    area.textContent = '';
    area.hidden = true;
    if (input) input.removeAttribute('aria-invalid');
  }

  function setBusy(form, busy) {
    s.busy = busy;
    form.setAttribute('aria-busy', busy ? 'true' : 'false');
    Array.prototype.forEach.call(form.querySelectorAll('button'), function (b) {
      b.disabled = busy;
    });
  }

  function screen(heading, children, focusEl) {
    var title = h('h1', { id: 'journey-heading', tabindex: '-1', text: heading });
    K.replace(app, title, children);
    (focusEl || title).focus();
  }

  function orderSummary() {
    var lines = s.ctx.order_lines.filter(function (l) {
      return l.type !== 'sales_tax';
    });
    var tax = s.ctx.order_lines.filter(function (l) {
      return l.type === 'sales_tax';
    });
    return h(
      'details',
      { class: 'summary' },
      h('summary', {}, h('span', { text: 'Total' }), h('strong', { 'data-total': '', text: money(s.ctx.order_amount) })),
      h(
        'ul',
        { class: 'lines' },
        lines.concat(tax).map(function (l) {
          return h('li', {}, h('span', { text: l.quantity > 1 ? l.name + ' × ' + l.quantity : l.name }), h('span', { text: money(l.total_amount) }));
        }),
      ),
    );
  }

  function categoryById(id) {
    return s.ctx.payment_method_categories.filter(function (c) {
      return c.identifier === id;
    })[0];
  }

  // ---- outcome -------------------------------------------------------------------------------

  /** Hands the outcome back: to the SDK (embedded) or by following redirect_url. */
  function finish(outcome, verified) {
    if (s.done) return;
    s.done = true;
    closeButton.disabled = true;
    if (K.embedded) {
      K.toParent({ type: 'result', result: outcome.callback || { approved: false, show_form: true }, verified: verified || null }, true);
      return;
    }
    if (outcome.redirect_url) {
      location.assign(outcome.redirect_url);
      return;
    }
    screen('All done', h('p', { text: 'You can close this window now.' }));
  }

  function close() {
    if (s.done) return;
    // A redirect journey asks even when it could not load (a final payment request): the answer
    // carries the return_url, so the customer gets back to the store.
    if (!s.credential || (!s.ctx && K.embedded)) return finish({ callback: { approved: false, show_form: true } });
    K.api(kind, 'abort', s.credential, {}).then(finish, function () {
      finish({ result: 'aborted', callback: { approved: false, show_form: true } });
    });
  }

  closeButton.addEventListener('click', close);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') close();
  });

  // ---- step 1: identify ----------------------------------------------------------------------

  function showIdentify() {
    var data = s.init.data || {};
    var known = [s.identity, data.customer, data.billing_address, s.ctx.prefill].filter(Boolean);
    var prefill = known.map(function (k) { return k.email || k.phone; }).filter(Boolean)[0] || '';
    var input = h('input', {
      id: 'identity',
      name: 'identity',
      type: 'text',
      inputmode: 'email',
      autocomplete: 'email',
      autocapitalize: 'none',
      spellcheck: 'false',
      required: true,
      'aria-describedby': 'identity-help identity-error',
    });
    input.value = prefill;
    var area = errorArea('identity-error');
    var form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'journey-heading' },
      orderSummary(),
      h('label', { for: 'identity', text: 'Email or mobile phone number' }),
      input,
      h('p', { id: 'identity-help', class: 'hint', text: 'We will send you a one-time code to confirm it is you.' }),
      area,
      h('button', { type: 'submit', class: 'primary', text: 'Continue' }),
    );
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (s.busy) return;
      var value = input.value.trim();
      if (!value) return showError(area, input, 'Enter your email address or mobile phone number.');
      var identity = value.indexOf('@') >= 0 ? { email: value } : { phone: value };
      clearError(area, input);
      setBusy(form, true);
      K.api(kind, 'identify', s.credential, identity).then(
        function (res) {
          setBusy(form, false);
          s.identity = identity;
          s.sentTo = res.sent_to;
          s.hint = res.hint;
          showCode();
        },
        function (error) {
          setBusy(form, false);
          showError(area, input, /email|phone/.test(error.message) ? 'That does not look like an email address or a phone number.' : error.message);
        },
      );
    });
    screen('Pay ' + merchant(), form, prefill ? undefined : input);
  }

  // ---- step 2: one-time code -----------------------------------------------------------------

  function showCode() {
    var input = h('input', {
      id: 'otp',
      name: 'one_time_code',
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      pattern: '[0-9]{6}',
      maxlength: String(s.ctx.one_time_code.length),
      required: true,
      'aria-describedby': 'otp-help otp-error',
    });
    var area = errorArea('otp-error');
    var form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'journey-heading' },
      h('p', {}, 'We sent a ' + s.ctx.one_time_code.length + '-digit code to ', h('strong', { text: s.sentTo }), '.'),
      h('label', { for: 'otp', text: 'One-time code' }),
      input,
      h('p', { id: 'otp-help', class: 'hint', text: s.hint }),
      area,
      h('button', { type: 'submit', class: 'primary', text: 'Verify' }),
      h('button', { type: 'button', class: 'link', text: 'Use another email or phone', onclick: showIdentify }),
    );
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (s.busy) return;
      var code = input.value.replace(/\s/g, '');
      if (!/^\d{6}$/.test(code)) return showError(area, input, 'Enter the 6 digits of your code.');
      clearError(area, input);
      setBusy(form, true);
      K.api(kind, 'verify', s.credential, Object.assign({ one_time_code: code }, s.identity)).then(
        function () {
          setBusy(form, false);
          s.code = code;
          showPlan();
        },
        function (error) {
          setBusy(form, false);
          input.value = '';
          showError(area, input, /one_time_code/.test(error.message) ? 'That code is not correct. Check it and try again.' : error.message);
        },
      );
    });
    screen('Enter your code', form, input);
  }

  // ---- step 3: how to pay, and approve -------------------------------------------------------

  function planChoice(category) {
    var plans = category.plans || [];
    if (!plans.some(function (p) { return p.id === s.plan; })) {
      s.plan = (plans.filter(function (p) { return p.default; })[0] || plans[0] || {}).id || null;
    }
    if (plans.length <= 1) {
      return h('p', { class: 'plan-single', text: plans[0] ? K.describePlan(category.identifier, plans[0], s.ctx.purchase_currency, s.ctx.locale) : category.name });
    }
    return h(
      'fieldset',
      { class: 'plans' },
      h('legend', { text: 'Choose a plan' }),
      plans.map(function (p) {
        var id = 'plan-' + p.id;
        return h(
          'label',
          { class: 'option', for: id },
          h('input', { type: 'radio', name: 'plan', id: id, value: p.id, checked: p.id === s.plan, onchange: function () { s.plan = p.id; } }),
          h('span', { text: K.describePlan(category.identifier, p, s.ctx.purchase_currency, s.ctx.locale) }),
        );
      }),
    );
  }

  function showPlan() {
    var fixed = !!(s.init.payment_method_category && categoryById(s.init.payment_method_category));
    if (!s.category) s.category = fixed ? s.init.payment_method_category : s.ctx.payment_method_categories[0].identifier;
    var planSlot = h('div', { class: 'plan-slot' }, planChoice(categoryById(s.category)));
    var categoryChoice = fixed || s.ctx.payment_method_categories.length === 1
      ? h('p', { class: 'category-fixed' }, h('img', { src: categoryById(s.category).asset_urls.standard, alt: '', width: 32, height: 32 }), h('strong', { text: categoryById(s.category).name }))
      : h(
          'fieldset',
          { class: 'categories' },
          h('legend', { text: 'Payment method' }),
          s.ctx.payment_method_categories.map(function (c) {
            var id = 'category-' + c.identifier;
            return h(
              'label',
              { class: 'option', for: id },
              h('input', {
                type: 'radio',
                name: 'category',
                id: id,
                value: c.identifier,
                checked: c.identifier === s.category,
                onchange: function () {
                  s.category = c.identifier;
                  K.replace(planSlot, planChoice(c));
                  approveButton.textContent = needsFinalize() ? 'Continue' : 'Buy';
                },
              }),
              h('span', { text: c.name }),
            );
          }),
        );
    // auto_finalize: false on Pay now: the customer is identified now; finalize() authorizes later.
    var needsFinalize = function () {
      return s.init.purpose === 'authorize' && s.init.auto_finalize === false && s.category === 'pay_now';
    };
    var area = errorArea('approve-error');
    var approveButton = h('button', { type: 'submit', class: 'primary', id: 'approve', text: needsFinalize() ? 'Continue' : 'Buy' });
    var form = h('form', { novalidate: true, 'aria-labelledby': 'journey-heading' }, orderSummary(), categoryChoice, planSlot, area, approveButton);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (s.busy) return;
      clearError(area);
      if (needsFinalize()) {
        return finish({ callback: { approved: false, show_form: true, finalize_required: true } }, { identity: s.identity, code: s.code, category: s.category, plan: s.plan });
      }
      setBusy(form, true);
      var body = Object.assign({ one_time_code: s.code, payment_method_category: s.category, data: s.init.data || {} }, s.identity);
      if (s.plan) body.plan = s.plan;
      K.api(kind, 'approve', s.credential, body).then(
        function (outcome) {
          setBusy(form, false);
          if (outcome.result === 'approved') showApproved(outcome);
          else showDeclined(outcome);
        },
        function (error) {
          setBusy(form, false);
          showError(area, null, error.message);
        },
      );
    });
    screen(s.init.purpose === 'finalize' ? 'Confirm your purchase' : 'How would you like to pay?', form);
  }

  function showApproved(outcome) {
    screen('Approved', h('p', { role: 'status', text: 'Thank you! Returning to ' + merchant() + '…' }));
    finish(outcome);
  }

  function showDeclined(outcome) {
    var back = h('button', { type: 'button', class: 'primary', text: 'Back to ' + merchant(), onclick: function () { finish(outcome); } });
    screen('Sorry, we can’t approve this purchase', [h('p', { text: 'Please choose another way to pay at ' + merchant() + '.' }), back], back);
  }

  // ---- start ---------------------------------------------------------------------------------

  function fatal(text) {
    var back = !K.embedded && s.credential ? h('button', { type: 'button', class: 'primary', text: 'Return to the store', onclick: close }) : null;
    screen('This purchase can’t continue', [h('p', { class: 'error', role: 'alert', text: text }), back]);
  }

  function boot() {
    K.api(kind, 'context', s.credential)
      .then(function (ctx) {
        s.ctx = ctx;
        var wanted = s.init.payment_method_category;
        if (wanted && !categoryById(wanted)) {
          s.ctx = null;
          throw { field: 'payment_method_category', message: 'Klarna is not available for this purchase.' };
        }
        return K.api(kind, 'enter', s.credential, {});
      })
      .then(
        function () {
          var verified = s.init.purpose === 'finalize' ? s.init.verified : null;
          if (verified && verified.identity && verified.code) {
            s.identity = verified.identity;
            s.code = verified.code;
            s.category = verified.category || null;
            s.plan = verified.plan || null;
            showPlan();
          } else {
            showIdentify();
          }
        },
        function (error) {
          if (K.embedded) {
            // Nothing the customer can do here: answer the merchant's callback at once.
            return finish({ callback: { approved: false, show_form: false, error: { invalid_fields: [error.field || 'client_token'] } } });
          }
          fatal(error.message || 'Something went wrong.');
        },
      );
  }

  if (K.embedded) {
    K.waitForInit().then(function (init) {
      s.init = init;
      s.credential = init.client_token;
      boot();
    });
  } else {
    var fromHash = new URLSearchParams(location.hash.slice(1)).get('t');
    s.credential = fromHash || K.params.get('t');
    if (s.credential) boot();
    else fatal('This link is incomplete: it carries no purchase to approve.');
  }
})(window.KassaPage);
