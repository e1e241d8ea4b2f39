/*
 * Kassa — an emulation of Klarna's Payments JavaScript SDK (window.Klarna.Payments), served at
 * GET /kp/lib/v1/api.js. Self-contained: it loads nothing from elsewhere. docs/js-sdk.md explains
 * how to embed it.
 *
 *   Klarna.Payments.init({ client_token })
 *   Klarna.Payments.load(options, data?, callback)        -> { show_form, error? }
 *   Klarna.Payments.authorize(options, data?, callback)   -> { approved, show_form, authorization_token?, finalize_required?, error? }
 *   Klarna.Payments.reauthorize(options, data?, callback) -> same as authorize
 *   Klarna.Payments.finalize(options, data?, callback)    -> same as authorize
 *
 * load() puts Kassa's widget (an iframe) into the container; authorize() opens Kassa's purchase
 * journey in a modal iframe. The frames talk to this script with window.postMessage: a frame says
 * "ready", the SDK answers "init" with the client_token (sent only to Kassa's origin), and the frame
 * reports back ("loaded", "resize", "select", "result"). Messages from any other origin or window
 * are ignored.
 *
 * Misuse throws at once, with the error names of Klarna's SDK reference:
 * ApplicationNotInitializedError, InvalidClientTokenError, InvalidContainerSelectorError,
 * PaymentMethodCategoryNotSupportedError, PreferredPaymentMethodNotSupportedError, plus Kassa's
 * AuthorizationInProgressError (authorize() while the journey is already open). When a callback
 * was given, it is first called with { show_form: false, error: { invalid_fields: [...] } }.
 */
(function (global) {
  'use strict';

  var document = global.document;
  if (!document) return;

  var KNOWN_CATEGORIES = ['klarna', 'pay_now', 'pay_later', 'pay_over_time', 'direct_bank_transfer', 'direct_debit'];
  var SDK_PATH = /\/kp\/lib\/v1\/api\.js(?:[?#].*)?$/;

  // Where Kassa lives: the origin (and any path prefix) this script was loaded from.
  var script = document.currentScript;
  var scriptSrc = script && script.src ? String(script.src) : '';
  var base = scriptSrc ? scriptSrc.replace(SDK_PATH, '') : '';
  var kassaOrigin = base ? new URL(base + '/').origin : '';

  // ---- errors ------------------------------------------------------------------------------

  class KlarnaPaymentsError extends Error {
    constructor(message) {
      super(message);
      this.name = new.target.name;
    }
  }
  var Errors = { KlarnaPaymentsError: KlarnaPaymentsError };
  [
    'ApplicationNotInitializedError',
    'InvalidClientTokenError',
    'InvalidContainerSelectorError',
    'PaymentMethodCategoryNotSupportedError',
    'PreferredPaymentMethodNotSupportedError',
    'AuthorizationInProgressError',
  ].forEach(function (name) {
    Errors[name] = { [name]: class extends KlarnaPaymentsError {} }[name];
  });

  /** Calls the callback (if any) with the documented error shape, then throws. */
  function fail(error, callback, field, shape) {
    if (typeof callback === 'function' && field) {
      var res = Object.assign({}, shape || { show_form: false }, { error: { invalid_fields: [field] } });
      try {
        callback(res);
      } catch (e) {
        setTimeout(function () {
          throw e;
        });
      }
    }
    throw error;
  }

  // ---- state -------------------------------------------------------------------------------

  var state = {
    clientToken: null,
    frames: {}, // frame id -> { iframe, onMessage }
    loadData: {}, // data given to load(), merged into authorize()
    selectedCategory: null, // last category picked in a widget
    journey: null, // the open journey frame, if any
    verified: null, // identity verified by an authorize() that asked for finalize
    seq: 0,
  };

  function frameId() {
    state.seq += 1;
    return 'k' + Date.now().toString(36) + state.seq.toString(36) + Math.random().toString(36).slice(2, 8);
  }

  // ---- validation helpers -------------------------------------------------------------------

  function base64UrlJson(part) {
    var b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    var value = JSON.parse(global.atob(b64));
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value;
  }

  function isJsonWebToken(token) {
    if (typeof token !== 'string') return false;
    var parts = token.split('.');
    if (parts.length !== 3 || !parts.every(function (p) { return /^[A-Za-z0-9_-]+$/.test(p); })) return false;
    try {
      var header = base64UrlJson(parts[0]);
      base64UrlJson(parts[1]);
      return typeof header.alg === 'string';
    } catch (e) {
      return false;
    }
  }

  function resolveContainer(container, callback) {
    if (typeof container === 'string') {
      var element;
      try {
        element = document.querySelector(container);
      } catch (e) {
        fail(new Errors.InvalidContainerSelectorError('options.container "' + container + '" is not a valid CSS selector'), callback, 'container');
      }
      if (!element) fail(new Errors.InvalidContainerSelectorError('No element matches options.container "' + container + '"'), callback, 'container');
      return element;
    }
    if (container && typeof container === 'object' && container.nodeType === 1) return container;
    return fail(new Errors.InvalidContainerSelectorError('options.container must be an HTML element or a valid CSS selector'), callback, 'container');
  }

  function categoryId(value) {
    return value && typeof value === 'object' ? value.identifier : value;
  }

  /** The categories named by the options: null for all of them ("klarna" or none given). */
  function requestedCategories(options, callback, shape) {
    var list = [];
    if (options.payment_method_category !== undefined) list.push(options.payment_method_category);
    if (Array.isArray(options.payment_method_categories)) list = list.concat(options.payment_method_categories.map(categoryId));
    list.forEach(function (id) {
      if (typeof id !== 'string' || KNOWN_CATEGORIES.indexOf(id) < 0) {
        fail(new Errors.PaymentMethodCategoryNotSupportedError('payment_method_category "' + id + '" is not supported'), callback, 'payment_method_category', shape);
      }
    });
    list = list.filter(function (id) { return id !== 'klarna'; });
    return list.length ? list : null;
  }

  function normalize(options, data, callback) {
    if (typeof options === 'function') return { options: {}, data: {}, callback: options };
    if (typeof data === 'function') return { options: options || {}, data: {}, callback: data };
    return { options: options || {}, data: data || {}, callback: callback };
  }

  function requireInit(method) {
    if (!state.clientToken) throw new Errors.ApplicationNotInitializedError('Klarna.Payments.init({ client_token }) must be called before ' + method + '()');
    if (!base) throw new Errors.ApplicationNotInitializedError('Cannot tell where Kassa is: load this script with <script src="…/kp/lib/v1/api.js">');
  }

  // The parts of `data` the purchase journey uses; load() data is remembered for authorize().
  var DATA_KEYS = ['billing_address', 'shipping_address', 'customer'];
  function mergeData(first, second) {
    var out = {};
    DATA_KEYS.forEach(function (key) {
      var a = first && first[key];
      var b = second && second[key];
      if (a && typeof a === 'object') out[key] = Object.assign({}, a);
      if (b && typeof b === 'object') out[key] = Object.assign(out[key] || {}, b);
    });
    return out;
  }

  // ---- messaging -----------------------------------------------------------------------------

  function post(frame, message) {
    var win = frame.iframe.contentWindow;
    if (win) win.postMessage(Object.assign({ kassa: 1 }, message), kassaOrigin);
  }

  global.addEventListener('message', function (event) {
    if (!kassaOrigin || event.origin !== kassaOrigin) return;
    var message = event.data;
    if (!message || typeof message !== 'object' || message.kassa !== 1) return;
    var frame = state.frames[message.frame];
    if (!frame || event.source !== frame.iframe.contentWindow) return;
    frame.onMessage(message);
  });

  function safeCall(callback, value) {
    if (typeof callback !== 'function') return;
    try {
      callback(value);
    } catch (e) {
      setTimeout(function () {
        throw e;
      });
    }
  }

  // ---- init ----------------------------------------------------------------------------------

  function init(options) {
    var token = options && typeof options === 'object' ? options.client_token : undefined;
    if (!isJsonWebToken(token)) throw new Errors.InvalidClientTokenError('options.client_token is not a valid JSON Web Token');
    if (token !== state.clientToken) {
      state.loadData = {};
      state.selectedCategory = null;
      state.verified = null;
    }
    state.clientToken = token;
  }

  // ---- load: the widget ----------------------------------------------------------------------

  function load(options, data, callback) {
    var args = normalize(options, data, callback);
    requireInit('load');
    if (typeof args.options !== 'object') args.options = {};
    var container = resolveContainer(args.options.container, args.callback);
    var categories = requestedCategories(args.options, args.callback);
    var preferred = args.options.preferred_payment_method;
    if (preferred !== undefined && typeof preferred !== 'string') {
      fail(new Errors.PreferredPaymentMethodNotSupportedError('options.preferred_payment_method must be a string'), args.callback, 'preferred_payment_method');
    }
    state.loadData = mergeData(state.loadData, args.data);

    // A container holds one widget: loading again replaces it.
    Object.keys(state.frames).forEach(function (id) {
      var f = state.frames[id];
      if (f.container === container) delete state.frames[id];
    });
    while (container.firstChild) container.removeChild(container.firstChild);

    var id = frameId();
    var iframe = document.createElement('iframe');
    iframe.src = base + '/kp/v1/widget?frame=' + encodeURIComponent(id);
    iframe.title = 'Klarna payment options';
    iframe.setAttribute('data-kassa-widget', '');
    iframe.style.cssText = 'display:block;width:100%;height:96px;border:0;overflow:hidden;background:transparent';
    var answered = false;
    var frame = {
      iframe: iframe,
      container: container,
      onMessage: function (message) {
        if (message.type === 'ready') {
          post(frame, { type: 'init', frame: id, client_token: state.clientToken, payment_method_categories: categories, preferred_payment_method: preferred || null });
        } else if (message.type === 'resize' && typeof message.height === 'number') {
          iframe.style.height = Math.max(0, Math.ceil(message.height)) + 'px';
        } else if (message.type === 'select' && typeof message.category === 'string') {
          state.selectedCategory = message.category;
        } else if (message.type === 'loaded' && !answered) {
          answered = true;
          if (typeof message.category === 'string') state.selectedCategory = message.category;
          var res = { show_form: message.show_form === true };
          if (message.error && Array.isArray(message.error.invalid_fields)) res.error = { invalid_fields: message.error.invalid_fields.slice() };
          safeCall(args.callback, res);
        }
      },
    };
    state.frames[id] = frame;
    container.appendChild(iframe);
  }

  // ---- authorize / reauthorize / finalize: the purchase journey ------------------------------

  function openJourney(purpose, options, data, callback) {
    var args = normalize(options, data, callback);
    requireInit(purpose);
    if (typeof args.options !== 'object') args.options = {};
    var shape = { approved: false, show_form: true };
    var categories = requestedCategories(args.options, args.callback, shape);
    if (state.journey) throw new Errors.AuthorizationInProgressError('The purchase journey is already open');
    var category = (categories && categories[0]) || (!categories && state.selectedCategory) || null;

    var id = frameId();
    var overlay = document.createElement('div');
    overlay.setAttribute('data-kassa-journey', '');
    overlay.style.cssText = 'position:fixed;top:0;right:0;bottom:0;left:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:rgba(23,18,15,0.55)';
    var iframe = document.createElement('iframe');
    iframe.src = base + '/kp/v1/journey/session?embedded=1&frame=' + encodeURIComponent(id);
    iframe.title = 'Klarna purchase journey';
    var narrow = global.matchMedia && global.matchMedia('(max-width: 520px)').matches;
    iframe.style.cssText = 'display:block;border:0;background:#fff;width:100%;height:100%;' +
      (narrow ? '' : 'max-width:460px;max-height:min(720px, calc(100% - 32px));border-radius:14px;box-shadow:0 12px 48px rgba(0,0,0,0.3)');
    overlay.appendChild(iframe);

    var previousFocus = document.activeElement;
    var root = document.documentElement;
    var previousOverflow = root.style.overflow;
    root.style.overflow = 'hidden';

    var frame = {
      iframe: iframe,
      onMessage: function (message) {
        if (message.type === 'ready') {
          post(frame, {
            type: 'init',
            frame: id,
            client_token: state.clientToken,
            purpose: purpose,
            payment_method_category: category,
            auto_finalize: args.options.auto_finalize !== false,
            data: mergeData(state.loadData, args.data),
            verified: purpose === 'finalize' ? state.verified : null,
          });
        } else if (message.type === 'result') {
          close();
          var result = message.result && typeof message.result === 'object' ? message.result : { approved: false, show_form: true };
          var res = { approved: result.approved === true, show_form: result.show_form !== false };
          if (typeof result.authorization_token === 'string') res.authorization_token = result.authorization_token;
          if (result.finalize_required === true) res.finalize_required = true;
          if (result.error && Array.isArray(result.error.invalid_fields)) res.error = { invalid_fields: result.error.invalid_fields.slice() };
          state.verified = res.finalize_required && message.verified ? message.verified : null;
          safeCall(args.callback, res);
        }
      },
    };

    function close() {
      delete state.frames[id];
      state.journey = null;
      if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
      root.style.overflow = previousOverflow;
      if (previousFocus && typeof previousFocus.focus === 'function') previousFocus.focus();
    }

    state.frames[id] = frame;
    state.journey = frame;
    document.body.appendChild(overlay);
    iframe.addEventListener('load', function () {
      iframe.focus();
    });
  }

  function authorize(options, data, callback) {
    openJourney('authorize', options, data, callback);
  }
  function reauthorize(options, data, callback) {
    openJourney('reauthorize', options, data, callback);
  }
  function finalize(options, data, callback) {
    openJourney('finalize', options, data, callback);
  }

  var Payments = {
    init: init,
    load: load,
    authorize: authorize,
    reauthorize: reauthorize,
    finalize: finalize,
    Errors: Errors,
    /** Kassa extension: where this SDK talks to (empty when it cannot tell). */
    kassa: { baseUrl: base, version: '1' },
  };

  global.Klarna = global.Klarna || {};
  global.Klarna.Payments = Payments;
  if (typeof global.klarnaAsyncCallback === 'function') {
    try {
      global.klarnaAsyncCallback();
    } catch (e) {
      setTimeout(function () {
        throw e;
      });
    }
  }
})(typeof window !== 'undefined' ? window : this);
