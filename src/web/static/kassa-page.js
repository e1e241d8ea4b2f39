/*
 * Shared helpers of Kassa's own pages (widget, purchase journey): building elements safely (text
 * only, never HTML from data), talking to the page that framed us (the JS SDK) with postMessage,
 * calling the journey endpoints with the bearer credential, and formatting money.
 */
(function (global) {
  'use strict';

  var params = new URLSearchParams(global.location.search);
  var frameId = params.get('frame');
  var parentWindow = global.parent !== global ? global.parent : null;
  var parentOrigin = null;
  // Kassa may sit under a path prefix behind a proxy: everything is relative to /kp/v1/.
  var apiBase = global.location.pathname.replace(/\/kp\/v1\/.*$/, '') + '/kp/v1';

  /** h('p', { class: 'muted', text: 'Hi' }, child, …): an element with attributes and children. */
  function h(tag, attrs) {
    var el = global.document.createElement(tag);
    var a = attrs || {};
    Object.keys(a).forEach(function (key) {
      var value = a[key];
      if (value === undefined || value === null || value === false) return;
      if (key === 'text') el.textContent = String(value);
      else if (key === 'class') el.className = value;
      else if (key.slice(0, 2) === 'on' && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (value === true) el.setAttribute(key, '');
      else el.setAttribute(key, String(value));
    });
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(el, c); });
    else el.appendChild(typeof child === 'string' ? global.document.createTextNode(child) : child);
  }

  function replace(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    for (var i = 1; i < arguments.length; i++) append(el, arguments[i]);
  }

  /** Posts to the SDK that framed this page. Sensitive messages wait until init told us its origin. */
  function toParent(message, sensitive) {
    if (!parentWindow) return;
    if (sensitive && !parentOrigin) return;
    parentWindow.postMessage(Object.assign({ kassa: 1, frame: frameId }, message), parentOrigin || '*');
  }

  /** Says "ready" and resolves with the SDK's "init" message (which carries the client_token). */
  function waitForInit() {
    return new Promise(function (resolve) {
      global.addEventListener('message', function onMessage(event) {
        var m = event.data;
        if (event.source !== parentWindow || !m || m.kassa !== 1 || m.type !== 'init' || m.frame !== frameId) return;
        global.removeEventListener('message', onMessage);
        parentOrigin = event.origin;
        resolve(m);
      });
      toParent({ type: 'ready' });
    });
  }

  function ApiError(status, body) {
    this.status = status;
    this.code = (body && body.error_code) || 'NETWORK_ERROR';
    this.messages = (body && body.error_messages) || ['Kassa could not be reached'];
    this.message = this.messages.join('; ');
  }

  /** Calls /kp/v1/journey/{kind}/{action} with the bearer credential; rejects with ApiError. */
  function api(kind, action, credential, body) {
    var init = { method: body === undefined ? 'GET' : 'POST', headers: { Authorization: 'Bearer ' + credential }, cache: 'no-store' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return global.fetch(apiBase + '/journey/' + encodeURIComponent(kind) + '/' + action, init).then(
      function (res) {
        if (res.status === 204) return {};
        return res.json().then(
          function (json) {
            if (!res.ok) throw new ApiError(res.status, json);
            return json;
          },
          function () {
            throw new ApiError(res.status, null);
          },
        );
      },
      function () {
        throw new ApiError(0, null);
      },
    );
  }

  /** Minor units -> "$129.00" in the purchase locale (display only; money math stays integer). */
  function money(minor, currency, locale) {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency: currency }).format(minor / 100);
    } catch (e) {
      return (minor / 100).toFixed(2) + ' ' + currency;
    }
  }

  /** One line describing a plan: "Pay $129.00 in 30 days", "6 monthly payments of $21.50". */
  function describePlan(category, plan, currency, locale) {
    var total = plan.schedule.reduce(function (sum, p) { return sum + p.amount; }, 0);
    if (category === 'pay_now') return 'Pay ' + money(total, currency, locale) + ' now';
    if (plan.instalments === 1) return 'Pay ' + money(total, currency, locale) + ' in ' + plan.schedule[0].due_in_days + ' days. No interest, no fees';
    var regular = plan.schedule[plan.schedule.length - 1].amount;
    var first = plan.schedule[0].amount;
    var text = plan.instalments + ' monthly payments of ' + money(regular, currency, locale);
    return first === regular ? text : text + ' (the first is ' + money(first, currency, locale) + ')';
  }

  /** Keeps the framing page told of our height, so the iframe never scrolls. */
  function observeHeight(el) {
    var last = -1;
    function report() {
      var height = Math.ceil(el.getBoundingClientRect().height);
      if (height !== last) {
        last = height;
        toParent({ type: 'resize', height: height });
      }
    }
    if (global.ResizeObserver) new global.ResizeObserver(report).observe(el);
    global.addEventListener('load', report);
    report();
  }

  global.KassaPage = {
    h: h,
    replace: replace,
    params: params,
    frameId: frameId,
    embedded: !!parentWindow && !!frameId,
    toParent: toParent,
    waitForInit: waitForInit,
    api: api,
    ApiError: ApiError,
    money: money,
    describePlan: describePlan,
    observeHeight: observeHeight,
  };
})(window);
