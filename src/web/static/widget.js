/*
 * The widget Klarna.Payments.load() puts in the merchant's container: the session's payment method
 * categories (one, or a choice), each with its image and what paying that way means. It tells the
 * SDK when it is loaded (the load callback), its height, and which category the customer picked.
 */
(function (K) {
  'use strict';

  var app = document.getElementById('app');
  K.observeHeight(app);

  function unavailable(text, field) {
    K.replace(app, K.h('p', { class: 'notice', role: 'status', text: text }));
    K.toParent({ type: 'loaded', show_form: false, error: { invalid_fields: [field] } }, true);
  }

  function summary(category, ctx) {
    var plans = category.plans || [];
    var plan = plans.filter(function (p) { return p.default; })[0] || plans[0];
    return plan ? K.describePlan(category.identifier, plan, ctx.purchase_currency, ctx.locale) : '';
  }

  function card(category, ctx) {
    return [
      K.h('img', { src: category.asset_urls.standard, alt: '', width: 40, height: 40, class: 'category-image' }),
      K.h('span', { class: 'category-text' }, K.h('strong', { text: category.name }), K.h('span', { class: 'muted', text: summary(category, ctx) })),
    ];
  }

  function render(ctx, categories, preferred) {
    var selected = categories.some(function (c) { return c.identifier === preferred; }) ? preferred : categories[0].identifier;
    if (categories.length === 1) {
      K.replace(app, K.h('div', { class: 'category single', 'data-category': selected }, card(categories[0], ctx)));
      return selected;
    }
    var fieldset = K.h('fieldset', { class: 'categories' }, K.h('legend', { text: 'Pay with Klarna' }));
    categories.forEach(function (c) {
      var id = 'category-' + c.identifier;
      fieldset.appendChild(
        K.h(
          'label',
          { class: 'category', for: id, 'data-category': c.identifier },
          K.h('input', {
            type: 'radio',
            name: 'category',
            id: id,
            value: c.identifier,
            checked: c.identifier === selected,
            onchange: function () {
              K.toParent({ type: 'select', category: c.identifier }, true);
            },
          }),
          card(c, ctx),
        ),
      );
    });
    K.replace(app, fieldset);
    return selected;
  }

  K.waitForInit().then(function (init) {
    K.api('session', 'context', init.client_token).then(
      function (ctx) {
        var wanted = init.payment_method_categories;
        var categories = ctx.payment_method_categories.filter(function (c) {
          return !wanted || wanted.indexOf(c.identifier) >= 0;
        });
        if (!categories.length) return unavailable('Klarna is not available for this purchase.', 'payment_method_category');
        var selected = render(ctx, categories, init.preferred_payment_method);
        K.toParent({ type: 'loaded', show_form: true, category: selected }, true);
      },
      function (error) {
        unavailable(error.status === 0 ? 'Klarna could not be reached.' : 'Klarna is not available: ' + error.message, 'client_token');
      },
    );
  });
})(window.KassaPage);
