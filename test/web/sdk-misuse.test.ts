/**
 * Unit tests of the JS SDK emulation (src/web/static/sdk/api.js) without a browser: the script runs
 * in a vm context with a minimal fake DOM. They cover the misuse errors Klarna's SDK reference
 * documents (ApplicationNotInitializedError, InvalidClientTokenError, InvalidContainerSelectorError,
 * PaymentMethodCategoryNotSupportedError, …), the callback shapes, and the postMessage protocol's
 * origin checks. The browser tests run the same script in Chromium against a live Kassa.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

const source = readFileSync(new URL('../../src/web/static/sdk/api.js', import.meta.url), 'utf8');

class FakeElement {
  nodeType = 1;
  children: FakeElement[] = [];
  parentNode: FakeElement | null = null;
  style: Record<string, string> = { cssText: '', overflow: '' };
  attributes: Record<string, string> = {};
  listeners: Record<string, () => void> = {};
  src = '';
  title = '';
  posted: { message: any; origin: string }[] = [];
  contentWindow = { postMessage: (message: any, origin: string) => this.posted.push({ message, origin }) };
  constructor(readonly tagName: string) {}
  get firstChild(): FakeElement | null {
    return this.children[0] ?? null;
  }
  appendChild(child: FakeElement) {
    child.parentNode = this;
    this.children.push(child);
    return child;
  }
  removeChild(child: FakeElement) {
    this.children = this.children.filter((c) => c !== child);
    child.parentNode = null;
    return child;
  }
  setAttribute(name: string, value: string) {
    this.attributes[name] = value;
  }
  addEventListener(type: string, fn: () => void) {
    this.listeners[type] = fn;
  }
  focus() {}
}

function jwt(payload: object = { session_id: 's1', account_id: 'a1' }): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}.c2lnbmF0dXJl`;
}

interface Loaded {
  Payments: any;
  container: FakeElement;
  body: FakeElement;
  dispatch(event: { origin: string; source: unknown; data: unknown }): void;
  asyncCallbackCalls: number;
}

function loadSdk(options: { src?: string | null } = {}): Loaded {
  const container = new FakeElement('div');
  const body = new FakeElement('body');
  let onMessage: (event: unknown) => void = () => {};
  const document = {
    currentScript: options.src === null ? null : { src: options.src ?? 'http://kassa.test:4545/kp/lib/v1/api.js' },
    querySelector(selector: string) {
      if (selector.includes('[[')) throw new SyntaxError(`'${selector}' is not a valid selector`);
      return selector === '#klarna-payments-container' ? container : null;
    },
    createElement: (tag: string) => new FakeElement(tag),
    body,
    documentElement: new FakeElement('html'),
    activeElement: null,
  };
  const state = { asyncCallbackCalls: 0 };
  const window: Record<string, unknown> = {
    document,
    atob: (s: string) => Buffer.from(s, 'base64').toString('binary'),
    addEventListener: (type: string, fn: (event: unknown) => void) => {
      if (type === 'message') onMessage = fn;
    },
    matchMedia: () => ({ matches: false }),
    klarnaAsyncCallback: () => state.asyncCallbackCalls++,
  };
  vm.runInNewContext(source, { window, URL, setTimeout, Date, Math, JSON }, { filename: 'api.js' });
  const Payments = (window.Klarna as { Payments: any }).Payments;
  return {
    Payments,
    container,
    body,
    dispatch: (event) => onMessage(event),
    get asyncCallbackCalls() {
      return state.asyncCallbackCalls;
    },
  };
}

/** The error a call throws, for asserting its Klarna name. */
function thrown(fn: () => unknown): { name: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error('expected the call to throw');
}

describe('Klarna.Payments (SDK emulation): what it defines', () => {
  it('defines init, load, authorize, reauthorize and finalize, and calls klarnaAsyncCallback', () => {
    const { Payments, asyncCallbackCalls } = loadSdk();
    for (const name of ['init', 'load', 'authorize', 'reauthorize', 'finalize']) expect(typeof Payments[name]).toBe('function');
    expect(asyncCallbackCalls).toBe(1);
  });

  it('talks to the Kassa it was loaded from, path prefix included', () => {
    expect(loadSdk().Payments.kassa.baseUrl).toBe('http://kassa.test:4545');
    expect(loadSdk({ src: 'https://pay.example.test/kassa/kp/lib/v1/api.js?v=1' }).Payments.kassa.baseUrl).toBe('https://pay.example.test/kassa');
  });
});

describe('Klarna.Payments: misuse throws Klarna-named errors', () => {
  it.each(['load', 'authorize', 'reauthorize', 'finalize'])('%s() before init() throws ApplicationNotInitializedError', (method) => {
    const { Payments, container } = loadSdk();
    const callback = () => {
      throw new Error('must not be called');
    };
    const error = thrown(() => Payments[method]({ container: '#klarna-payments-container' }, {}, callback));
    expect(error.name).toBe('ApplicationNotInitializedError');
    expect(error.message).toMatch(/init/);
    expect(container.children).toHaveLength(0);
  });

  it.each([
    ['no options', undefined],
    ['no client_token', {}],
    ['a number', { client_token: 42 }],
    ['not three parts', { client_token: 'abc.def' }],
    ['parts that are not JSON', { client_token: 'abc.def.ghi' }],
    ['characters outside base64url', { client_token: `${jwt()}!` }],
  ])('init() with %s throws InvalidClientTokenError', (_what, options) => {
    const { Payments } = loadSdk();
    expect(thrown(() => Payments.init(options)).name).toBe('InvalidClientTokenError');
  });

  it('init() with a well-formed JWT succeeds (the signature is Kassa’s to check)', () => {
    const { Payments } = loadSdk();
    expect(() => Payments.init({ client_token: jwt() })).not.toThrow();
  });

  it.each([
    ['a selector that matches nothing', '#nowhere'],
    ['an invalid selector', 'div[[x'],
    ['neither element nor selector', 42],
    ['no container at all', undefined],
  ])('load() with %s throws InvalidContainerSelectorError after calling back show_form: false', (_what, container) => {
    const { Payments } = loadSdk();
    Payments.init({ client_token: jwt() });
    const calls: unknown[] = [];
    const error = thrown(() => Payments.load({ container, payment_method_category: 'pay_later' }, {}, (res: unknown) => calls.push(res)));
    expect(error.name).toBe('InvalidContainerSelectorError');
    expect(calls).toEqual([{ show_form: false, error: { invalid_fields: ['container'] } }]);
  });

  it('load() with an unknown category throws PaymentMethodCategoryNotSupportedError', () => {
    const { Payments, container } = loadSdk();
    Payments.init({ client_token: jwt() });
    const calls: unknown[] = [];
    const error = thrown(() => Payments.load({ container: '#klarna-payments-container', payment_method_category: 'pay_with_gold' }, (res: unknown) => calls.push(res)));
    expect(error.name).toBe('PaymentMethodCategoryNotSupportedError');
    expect(calls).toEqual([{ show_form: false, error: { invalid_fields: ['payment_method_category'] } }]);
    expect(container.children).toHaveLength(0);
  });

  it('load() with a preferred_payment_method that is not a string throws PreferredPaymentMethodNotSupportedError', () => {
    const { Payments } = loadSdk();
    Payments.init({ client_token: jwt() });
    expect(thrown(() => Payments.load({ container: '#klarna-payments-container', preferred_payment_method: 7 })).name).toBe('PreferredPaymentMethodNotSupportedError');
  });

  it('authorize() with an unknown category throws PaymentMethodCategoryNotSupportedError after calling back approved: false', () => {
    const { Payments, body } = loadSdk();
    Payments.init({ client_token: jwt() });
    const calls: unknown[] = [];
    const error = thrown(() => Payments.authorize({ payment_method_categories: [{ identifier: 'nope' }] }, {}, (res: unknown) => calls.push(res)));
    expect(error.name).toBe('PaymentMethodCategoryNotSupportedError');
    expect(calls).toEqual([{ approved: false, show_form: true, error: { invalid_fields: ['payment_method_category'] } }]);
    expect(body.children).toHaveLength(0);
  });

  it('authorize() while the purchase journey is open throws AuthorizationInProgressError', () => {
    const { Payments, body } = loadSdk();
    Payments.init({ client_token: jwt() });
    Payments.authorize({ payment_method_category: 'pay_later' }, {}, () => {});
    expect(body.children).toHaveLength(1);
    expect(thrown(() => Payments.authorize({}, {}, () => {})).name).toBe('AuthorizationInProgressError');
    expect(body.children).toHaveLength(1);
  });

  it('without knowing where it was loaded from, it refuses to guess', () => {
    const { Payments } = loadSdk({ src: null });
    Payments.init({ client_token: jwt() });
    expect(thrown(() => Payments.load({ container: '#klarna-payments-container' })).message).toMatch(/Cannot tell where Kassa is/);
  });

  it('errors are Error instances with the Klarna name, exposed as Klarna.Payments.Errors', () => {
    const { Payments } = loadSdk();
    const error = thrown(() => Payments.load({}));
    expect(error).toBeInstanceOf(Payments.Errors.ApplicationNotInitializedError);
    expect(error).toBeInstanceOf(Payments.Errors.KlarnaPaymentsError);
  });
});

describe('Klarna.Payments: the frames and their messages', () => {
  function loadWidget() {
    const sdk = loadSdk();
    const token = jwt();
    sdk.Payments.init({ client_token: token });
    const calls: unknown[] = [];
    sdk.Payments.load({ container: '#klarna-payments-container', payment_method_category: 'pay_later' }, { billing_address: { email: 'a@b.us' } }, (res: unknown) => calls.push(res));
    const iframe = sdk.container.children[0]!;
    return { ...sdk, token, calls, iframe };
  }

  it('load() puts Kassa’s widget iframe in the container', () => {
    const { iframe } = loadWidget();
    expect(iframe.tagName).toBe('iframe');
    expect(iframe.src).toMatch(/^http:\/\/kassa\.test:4545\/kp\/v1\/widget\?frame=/);
    expect(iframe.title).toBe('Klarna payment options');
  });

  it('sends the client_token only to Kassa’s origin, and only when the widget asks', () => {
    const { iframe, token, dispatch } = loadWidget();
    const frame = new URL(iframe.src).searchParams.get('frame');
    dispatch({ origin: 'http://evil.test', source: iframe.contentWindow, data: { kassa: 1, frame, type: 'ready' } });
    expect(iframe.posted).toEqual([]);
    dispatch({ origin: 'http://kassa.test:4545', source: {}, data: { kassa: 1, frame, type: 'ready' } });
    expect(iframe.posted).toEqual([]);
    dispatch({ origin: 'http://kassa.test:4545', source: iframe.contentWindow, data: { kassa: 1, frame, type: 'ready' } });
    expect(iframe.posted).toHaveLength(1);
    expect(iframe.posted[0]!.origin).toBe('http://kassa.test:4545');
    expect(iframe.posted[0]!.message).toMatchObject({ kassa: 1, type: 'init', frame, client_token: token, payment_method_categories: ['pay_later'] });
  });

  it('calls back { show_form } once when the widget has loaded, and sizes the iframe', () => {
    const { iframe, calls, dispatch } = loadWidget();
    const frame = new URL(iframe.src).searchParams.get('frame');
    const send = (data: object) => dispatch({ origin: 'http://kassa.test:4545', source: iframe.contentWindow, data: { kassa: 1, frame, ...data } });
    send({ type: 'resize', height: 120.4 });
    send({ type: 'loaded', show_form: true, category: 'pay_later' });
    send({ type: 'loaded', show_form: false });
    expect(calls).toEqual([{ show_form: true }]);
    expect(iframe.style.height).toBe('121px');
  });

  it('authorize() opens the journey, passes load() data on, and answers Klarna’s callback shape', () => {
    const { Payments, body, token, dispatch } = loadWidget();
    const results: unknown[] = [];
    Payments.authorize({ payment_method_category: 'pay_later' }, { customer: { date_of_birth: '1970-07-10' } }, (res: unknown) => results.push(res));
    const overlay = body.children[0]!;
    const iframe = overlay.children[0]!;
    expect(iframe.src).toMatch(/^http:\/\/kassa\.test:4545\/kp\/v1\/journey\/session\?embedded=1&frame=/);
    const frame = new URL(iframe.src).searchParams.get('frame');
    const send = (data: object) => dispatch({ origin: 'http://kassa.test:4545', source: iframe.contentWindow, data: { kassa: 1, frame, ...data } });
    send({ type: 'ready' });
    expect(iframe.posted[0]!.message).toMatchObject({
      type: 'init',
      client_token: token,
      purpose: 'authorize',
      payment_method_category: 'pay_later',
      auto_finalize: true,
      data: { billing_address: { email: 'a@b.us' }, customer: { date_of_birth: '1970-07-10' } },
    });
    send({ type: 'result', result: { approved: true, show_form: true, authorization_token: 'tok', fraud_status: 'ACCEPTED' } });
    expect(results).toEqual([{ approved: true, show_form: true, authorization_token: 'tok' }]);
    expect(body.children).toHaveLength(0);
  });
});
