/*
 * The demo shop's checkout: the reference integration of docs/js-sdk.md.
 *   1. "Pay with Klarna": the shop backend creates a Payments v1 session (POST /demo/api/sessions)
 *      and hands the page its client_token;
 *   2. Klarna.Payments.init + load: the widget for the chosen category;
 *   3. "Place order": Klarna.Payments.authorize with the billing address -> authorization_token;
 *   4. the shop backend creates the order (POST /demo/api/orders) and the page goes to the
 *      confirmation page.
 */
(function () {
  'use strict';

  var el = function (id) { return document.getElementById(id); };
  var state = { products: [], cart: [], session: null, category: null, busy: false };
  var usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  var money = function (minor) { return usd.format(minor / 100); };

  function h(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    });
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) node.appendChild(typeof arguments[i] === 'string' ? document.createTextNode(arguments[i]) : arguments[i]);
    return node;
  }

  function say(text, kind) {
    var status = el('status');
    status.textContent = text;
    status.className = 'status' + (kind ? ' ' + kind : '');
  }

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (res) {
      return res.json().then(function (json) {
        if (!res.ok) throw new Error((json.error_messages || ['Request failed']).join('; ') + ' (' + (json.error_code || res.status) + ')');
        return json;
      });
    });
  }

  // ---- cart ----------------------------------------------------------------------------------

  function renderCart() {
    var list = el('cart');
    list.textContent = '';
    state.products.forEach(function (p) {
      var item = state.cart.filter(function (c) { return c.sku === p.sku; })[0];
      var id = 'qty-' + p.sku;
      var input = h('input', { id: id, type: 'number', min: 0, max: 10, step: 1, inputmode: 'numeric', value: item.quantity });
      input.addEventListener('change', function () {
        var q = Math.max(0, Math.min(10, parseInt(input.value, 10) || 0));
        input.value = q;
        item.quantity = q;
        cartChanged();
      });
      list.appendChild(
        h('li', { class: 'cart-item' },
          h('span', { class: 'cart-name' }, h('strong', { text: p.name }), h('span', { class: 'muted', text: money(p.unit_price) + ' each' })),
          h('span', { class: 'qty' }, h('label', { for: id, class: 'qty-label' }, 'Quantity', h('span', { class: 'visually-hidden', text: ' of ' + p.name })), input)),
      );
    });
  }

  function quote() {
    return api('POST', '/demo/api/quote', { cart: state.cart }).then(
      function (order) {
        var totals = el('totals');
        totals.textContent = '';
        order.order_lines.forEach(function (l) {
          totals.appendChild(h('div', { class: 'row' }, h('dt', { text: l.quantity > 1 ? l.name + ' × ' + l.quantity : l.name }), h('dd', { text: money(l.total_amount) })));
        });
        totals.appendChild(h('div', { class: 'row total' }, h('dt', { text: 'Total' }), h('dd', { id: 'order-total', text: money(order.order_amount) })));
        el('pay-with-klarna').disabled = false;
      },
      function (error) {
        el('totals').textContent = '';
        el('pay-with-klarna').disabled = true;
        say(error.message, 'error');
      },
    );
  }

  function cartChanged() {
    // The session holds the old cart: start the payment again.
    if (state.session) {
      state.session = null;
      el('klarna-options').hidden = true;
      el('klarna-payments-container').textContent = '';
      el('pay-with-klarna').hidden = false;
      say('Your cart changed. Press "Pay with Klarna" again.');
    }
    quote();
  }

  // ---- Klarna --------------------------------------------------------------------------------

  function billingAddress() {
    var f = el('details');
    var value = function (name) { return f.elements[name].value.trim(); };
    var address = {
      given_name: value('given_name'),
      family_name: value('family_name'),
      email: value('email'),
      street_address: value('street_address'),
      postal_code: value('postal_code'),
      city: value('city'),
      region: value('region'),
      country: 'US',
    };
    if (value('phone')) address.phone = value('phone');
    return address;
  }

  function payWithKlarna() {
    if (state.busy) return;
    state.busy = true;
    say('Contacting Klarna…');
    api('POST', '/demo/api/sessions', { cart: state.cart }).then(
      function (session) {
        state.busy = false;
        state.session = session;
        Klarna.Payments.init({ client_token: session.client_token });
        renderCategories(session.payment_method_categories);
        el('pay-with-klarna').hidden = true;
        el('klarna-options').hidden = false;
        say('');
        var first = el('categories').querySelector('input');
        if (first) first.focus();
      },
      function (error) {
        state.busy = false;
        say(error.message, 'error');
      },
    );
  }

  function renderCategories(categories) {
    var fieldset = el('categories');
    Array.prototype.slice.call(fieldset.querySelectorAll('label')).forEach(function (n) { n.remove(); });
    categories.forEach(function (c, i) {
      var id = 'pay-' + c.identifier;
      var input = h('input', { type: 'radio', name: 'klarna-category', id: id, value: c.identifier, checked: i === 0 });
      input.addEventListener('change', function () { loadWidget(c.identifier); });
      fieldset.appendChild(h('label', { class: 'choice', for: id }, input, h('img', { src: c.asset_urls.descriptive, alt: '', width: 32, height: 32 }), h('span', { text: c.name })));
    });
    if (categories.length) loadWidget(categories[0].identifier);
    else say('Klarna is not available for this cart.', 'error');
  }

  function loadWidget(category) {
    state.category = category;
    el('place-order').disabled = true;
    Klarna.Payments.load({ container: '#klarna-payments-container', payment_method_category: category }, {}, function (res) {
      if (state.category !== category) return;
      el('place-order').disabled = !res.show_form;
      if (!res.show_form) say('This Klarna option is not available.', 'error');
    });
  }

  function placeOrder() {
    var form = el('details');
    if (!form.reportValidity()) return;
    if (state.busy) return;
    state.busy = true;
    el('place-order').disabled = true;
    say('Waiting for Klarna…');
    var address = billingAddress();
    Klarna.Payments.authorize({ payment_method_category: state.category }, { billing_address: address }, function (res) {
      if (res.approved && res.authorization_token) return createOrder(res.authorization_token);
      state.busy = false;
      if (!res.show_form) {
        // A final decline: Klarna must not be offered again for this purchase.
        el('klarna-options').hidden = true;
        el('klarna-payments-container').textContent = '';
        say('Klarna could not approve this purchase. Please choose another payment method.', 'error');
        el('status').focus();
        return;
      }
      el('place-order').disabled = false;
      say('The Klarna purchase was not completed. You can try again.');
      el('place-order').focus();
    });
  }

  function createOrder(token) {
    say('Placing your order…');
    api('POST', '/demo/api/orders', { cart: state.cart, authorization_token: token, merchant_reference1: state.session.merchant_reference1 }).then(
      function (order) {
        location.assign('/demo/confirmation?order_id=' + encodeURIComponent(order.order_id) + '&session_id=' + encodeURIComponent(state.session.session_id));
      },
      function (error) {
        state.busy = false;
        say('The order could not be placed: ' + error.message, 'error');
      },
    );
  }

  // ---- start ---------------------------------------------------------------------------------

  el('persona').addEventListener('change', function () {
    el('email').value = el('persona').value;
  });
  el('pay-with-klarna').addEventListener('click', payWithKlarna);
  el('place-order').addEventListener('click', placeOrder);
  el('pay-with-klarna').disabled = true;
  el('status').setAttribute('tabindex', '-1');

  api('GET', '/demo/api/catalogue').then(function (c) {
    state.products = c.products;
    state.cart = c.cart;
    renderCart();
    return quote();
  }, function (error) {
    say(error.message, 'error');
  });
})();
