/*
 * The demo shop's confirmation page: reads the order back through the shop backend
 * (GET /ordermanagement/v1/orders/{order_id}) and lists the Order Management calls that can follow,
 * as curl lines for this Kassa with the demo shop's sandbox credentials.
 */
(function () {
  'use strict';

  var params = new URLSearchParams(location.search);
  var orderId = params.get('order_id') || '';
  var usd = function (minor, currency) {
    try {
      return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency || 'USD' }).format(minor / 100);
    } catch (e) {
      return (minor / 100).toFixed(2) + ' ' + currency;
    }
  };

  function h(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'class') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) node.appendChild(typeof arguments[i] === 'string' ? document.createTextNode(arguments[i]) : arguments[i]);
    return node;
  }

  function row(label, value, id) {
    return h('div', { class: 'row' }, h('dt', { text: label }), h('dd', id ? { id: id, text: value } : { text: value }));
  }

  function curl(credentials, method, path, body) {
    var line = "curl -u '" + credentials.username + ':' + credentials.password + "' -X " + method + " '" + location.origin + path + "'";
    if (body) line += " \\\n  -H 'Content-Type: application/json' -d '" + JSON.stringify(body) + "'";
    return line;
  }

  function call(credentials, title, when, method, path, body) {
    return h('article', { class: 'call' },
      h('h3', { text: title }),
      h('p', { class: 'muted', text: when }),
      h('pre', {}, h('code', { text: curl(credentials, method, path, body) })));
  }

  function render(data) {
    var o = data.order;
    var c = data.credentials;
    var method = o.initial_payment_method || {};
    var payment = method.description + (method.number_of_installments ? ' (' + method.number_of_installments + ' instalments)' : '');
    var box = document.getElementById('order');
    box.textContent = '';
    box.appendChild(h('dl', { class: 'facts' },
      row('Order id', o.order_id, 'order-id'),
      row('Klarna reference', o.klarna_reference),
      row('Status', o.status, 'order-status'),
      row('Fraud status', o.fraud_status, 'fraud-status'),
      row('Amount', usd(o.order_amount, o.purchase_currency)),
      row('Paid with', payment)));
    if (o.fraud_status === 'PENDING') {
      box.appendChild(h('p', { class: 'notice' }, 'Klarna is reviewing this order (fraud_status PENDING): do not ship yet. The decision arrives on the account\'s test clock, after the minutes the persona names; move the clock to get it.'));
    } else if (o.fraud_status === 'REJECTED') {
      box.appendChild(h('p', { class: 'notice' }, 'Klarna rejected this order after review: it must not be shipped.'));
    }

    var base = '/ordermanagement/v1/orders/' + encodeURIComponent(o.order_id);
    var calls = document.getElementById('calls');
    calls.textContent = '';
    if (o.fraud_status === 'PENDING') {
      calls.appendChild(call(c, 'Move the test clock past the review', 'Sandbox only. The order then becomes ACCEPTED or REJECTED and the shop is notified.', 'POST', '/sandbox/v1/clock/advance', { seconds: 3600 }));
    }
    calls.appendChild(call(c, 'Read the order', 'Any time.', 'GET', base));
    calls.appendChild(call(c, 'Capture the full amount', 'When the goods ship (not while the fraud review is pending).', 'POST', base + '/captures', { captured_amount: o.remaining_authorized_amount, description: 'Shipped in full' }));
    calls.appendChild(call(c, 'Cancel the order', 'Before anything is captured.', 'POST', base + '/cancel'));
    calls.appendChild(call(c, 'Extend the authorization', 'The shop has 28 days to capture; this adds more, up to 180 days after the order.', 'POST', base + '/extend-authorization-time'));
    calls.appendChild(call(c, 'Refund', 'After a capture, up to the captured amount.', 'POST', base + '/refunds', { refunded_amount: o.order_amount, description: 'Returned' }));
    document.getElementById('next').hidden = false;
  }

  fetch('/demo/api/orders/' + encodeURIComponent(orderId)).then(function (res) {
    return res.json().then(function (json) {
      if (!res.ok) throw new Error((json.error_messages || ['The order could not be read']).join('; '));
      render(json);
    });
  }).catch(function (error) {
    var box = document.getElementById('order');
    box.textContent = '';
    box.appendChild(h('p', { class: 'error', role: 'alert', text: error.message }));
  });
})();
