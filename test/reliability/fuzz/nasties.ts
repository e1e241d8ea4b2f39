/**
 * The hand-written list of hostile requests: malformed JSON, wrong types and content types,
 * missing and extra fields, hostile amounts, currency mismatches, 1000+ order lines, deep nesting,
 * __proto__ keys, control characters and odd unicode, oversized bodies, bad and missing
 * credentials, path traversal, very long ids, hostile idempotency keys, unknown methods and routes.
 * Each takes a randomly chosen operation (from /openapi.json) and a plausible request for it, and
 * spoils it in one way.
 */
import { limits } from '../../../src/domain/limits.js';
import type { Operation } from '../support/openapi.js';
import type { Prng } from '../support/prng.js';
import { deepNesting, toJson } from '../support/schema-values.js';

export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** The client address (app.inject's remoteAddress; nothing is sent anywhere). */
  remoteAddress?: string;
}

/**
 * Credential guesses come from an address of their own (a documentation address; app.inject sends
 * nothing): the sign-in throttle then locks that address, not the fuzzer's main traffic.
 */
const guesser = '192.0.2.66';

export interface NastyContext {
  rng: Prng;
  op: Operation;
  /** The operation's path with plausible ids filled in. */
  url: string;
  /** A plausible JSON body for the operation (or undefined when it takes none). */
  body: any;
  authorization: string;
  otherAuthorization: string;
}

export type Nasty = { name: string; weight: number; make: (c: NastyContext) => RawRequest };

const json = (c: NastyContext, payload: string | Buffer, extra: Record<string, string> = {}): RawRequest => ({
  method: c.op.method === 'GET' || c.op.method === 'DELETE' ? 'POST' : c.op.method,
  url: c.url,
  headers: { authorization: c.authorization, 'content-type': 'application/json', ...extra },
  payload,
});

const withBody = (c: NastyContext, body: unknown, extra: Record<string, string> = {}): RawRequest => ({
  method: c.op.method,
  url: c.url,
  headers: { authorization: c.authorization, 'content-type': 'application/json', ...extra },
  payload: body === undefined ? undefined : toJson(body),
});

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Replaces every value under keys matching `test` in a copy of `body`. */
function replaceWhere(body: any, test: (key: string) => boolean, value: () => unknown): any {
  if (Array.isArray(body)) return body.map((v) => replaceWhere(v, test, value));
  if (body && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, test(k) ? value() : replaceWhere(v, test, value)]));
  }
  return body;
}

/** Adds an extra key to every object in a copy of `body`. */
function addToObjects(body: any, value: () => unknown): any {
  if (Array.isArray(body)) return body.map((v) => addToObjects(v, value));
  if (body && typeof body === 'object') return { ...Object.fromEntries(Object.entries(body).map(([k, v]) => [k, addToObjects(v, value)])), x_extra: value() };
  return body;
}

function mapStrings(body: any, f: (s: string) => string): any {
  if (typeof body === 'string') return f(body);
  if (Array.isArray(body)) return body.map((v) => mapStrings(v, f));
  if (body && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, mapStrings(v, f)]));
  return body;
}

const oddStrings = ['\u0000', '\u0001\u0002', '\u001b[2J', '\r\n\r\n', '\u2028\u2029', '\u202eevil', '\ufeff', '\ud800', '\udc00x', '😀', 'e\u0301', '\uffff', 'ǅ', '\t', '\\', '"', "'", '`', '%s%n', '../'];
const hostileAmounts = [-1, -100, 0.5, 99.99, 1e21, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -(2 ** 53), 1e308, 2 ** 31, 2 ** 32, limits.amountMax + 1, '100', '1e3', null, true, [], {}];

export const nasties: Nasty[] = [
  // Malformed and non-object JSON
  ...['{', '{"a":', '{"a":1,}', "{'a':1}", '[1,2', 'nul', 'tru', '{"a":1}}', '{} {}', '\u0000', '{"a":"\\x00"}', '{"a":"\\ud800"}', '{"a":1e999}', '{"a":-}', '\ufeff{}', 'NaN', '{"__proto__":1}'].map((p) => ({
    name: `malformed JSON ${JSON.stringify(p).slice(0, 20)}`,
    weight: 1,
    make: (c: NastyContext) => json(c, p),
  })),
  ...['[]', '"string"', '1', 'null', 'true', '[{}]', '{}'].map((p) => ({ name: `top-level JSON ${p}`, weight: 1, make: (c: NastyContext) => json(c, p) })),
  { name: 'empty body with JSON content type', weight: 2, make: (c) => json(c, '') },
  { name: 'invalid UTF-8 bytes', weight: 1, make: (c) => json(c, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d])) },
  { name: 'UTF-16 body', weight: 1, make: (c) => json(c, Buffer.from(toJson(c.body ?? {}), 'utf16le'), { 'content-type': 'application/json; charset=utf-16' }) },
  { name: 'duplicate keys', weight: 1, make: (c) => json(c, '{"order_amount":100,"order_amount":-5,"captured_amount":1,"captured_amount":-1,"seconds":1,"seconds":-1}') },

  // Content types
  ...['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json-patch+json', 'image/png', 'application/jsonx', ''].map((ct) => ({
    name: `content-type ${ct || '(empty)'}`,
    weight: 1,
    make: (c: NastyContext) => json(c, toJson(c.body ?? {}), { 'content-type': ct }),
  })),
  { name: 'body without content type', weight: 1, make: (c) => ({ method: 'POST', url: c.url, headers: { authorization: c.authorization }, payload: toJson(c.body ?? {}) }) },

  // Size
  { name: 'body one byte over the limit', weight: 2, make: (c) => json(c, `{"x":"${'a'.repeat(limits.bodyBytesMax - 7)}"}`) },
  { name: 'body far over the limit', weight: 1, make: (c) => json(c, Buffer.alloc(limits.bodyBytesMax * 3, 0x20)) },
  { name: 'body exactly at the limit', weight: 1, make: (c) => json(c, `{"x":"${'a'.repeat(limits.bodyBytesMax - 8)}"}`) },
  { name: 'huge string field', weight: 2, make: (c) => withBody(c, mapStrings(c.body ?? { description: 'x' }, () => 'x'.repeat(200_000))) },

  // Order lines
  ...[limits.orderLinesMax, limits.orderLinesMax + 1, 5000].map((n) => ({
    name: `${n} order lines`,
    weight: 2,
    make: (c: NastyContext) => {
      const line = { type: 'physical', name: 'Line', quantity: 1, unit_price: 1, tax_rate: 0, total_amount: 1, total_tax_amount: 0 };
      const body = { ...(c.body ?? {}), order_lines: Array.from({ length: n }, () => line), order_amount: n, order_tax_amount: 0 };
      return withBody(c, body);
    },
  })),

  // Nesting and prototype keys
  { name: 'deep nesting (top level)', weight: 2, make: (c) => json(c, '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)) },
  { name: 'deep nesting (arrays)', weight: 1, make: (c) => json(c, '['.repeat(100_000) + ']'.repeat(100_000)) },
  { name: 'deep nesting in an extra top-level field', weight: 3, make: (c) => withBody(c, { ...(c.body ?? {}), x_deep: deepNesting(c.rng.pick([33, 500, 5000, 20_000])) }) },
  { name: 'deep nesting in free-form options', weight: 2, make: (c) => withBody(c, { ...(c.body ?? {}), options: { x: deepNesting(c.rng.pick([40, 5000, 20_000])) } }) },
  { name: 'deep nesting in an extra field of every object', weight: 3, make: (c) => withBody(c, addToObjects(c.body ?? {}, () => deepNesting(c.rng.pick([100, 5000])))) },
  { name: 'deep nesting replacing object fields', weight: 1, make: (c) => withBody(c, replaceWhere(c.body ?? {}, (k) => /address|customer|options|identifiers|attachment|urls/.test(k), () => deepNesting(5000))) },
  { name: '__proto__ at top level', weight: 2, make: (c) => json(c, toJson(c.body ?? {}).replace(/^\{/, '{"__proto__":{"polluted":1},')) },
  { name: 'constructor.prototype', weight: 2, make: (c) => json(c, toJson(c.body ?? {}).replace(/^\{/, '{"constructor":{"prototype":{"polluted":1}},')) },
  { name: '__proto__ nested', weight: 2, make: (c) => json(c, toJson(c.body ?? {}).replace(/\{"/g, '{"__proto__":{"x":1},"')) },

  // Strings
  { name: 'control chars and odd unicode in every string', weight: 4, make: (c) => withBody(c, mapStrings(c.body ?? {}, (s) => s + c.rng.pick(oddStrings) + c.rng.pick(oddStrings))) },
  { name: 'only odd unicode in every string', weight: 2, make: (c) => withBody(c, mapStrings(c.body ?? {}, () => c.rng.pick(oddStrings))) },
  { name: 'empty strings everywhere', weight: 1, make: (c) => withBody(c, mapStrings(c.body ?? {}, () => '')) },

  // Amounts
  {
    name: 'hostile amounts',
    weight: 5,
    make: (c) => {
      const v = c.rng.pick(hostileAmounts);
      return withBody(c, replaceWhere(c.body ?? { captured_amount: 1 }, (k) => /amount|price|quantity|seconds|tax_rate|number_of/.test(k), () => (c.rng.bool(0.5) ? v : c.rng.pick(hostileAmounts))));
    },
  },
  { name: 'amounts that do not add up', weight: 2, make: (c) => withBody(c, { ...(c.body ?? {}), order_amount: (c.body?.order_amount ?? 100) + 1 }) },
  { name: 'currency mismatch', weight: 3, make: (c) => withBody(c, { ...(c.body ?? {}), purchase_currency: c.rng.pick(['USD', 'EUR', 'XXX', 'sek', 'SE', 'SEKK', '€']), currency: c.rng.pick(['USD', 'XXX', '']) }) },
  { name: 'country mismatch', weight: 1, make: (c) => withBody(c, { ...(c.body ?? {}), purchase_country: c.rng.pick(['US', 'ZZ', 'se', 'SWE', '']) }) },

  // Fields
  {
    name: 'each required field missing',
    weight: 3,
    make: (c) => {
      const body = { ...(c.body ?? {}) };
      const keys = Object.keys(body);
      if (keys.length) delete body[c.rng.pick(keys)];
      return withBody(c, body);
    },
  },
  { name: 'extra unknown fields', weight: 2, make: (c) => withBody(c, { ...(c.body ?? {}), x_unknown: 1, ORDER_AMOUNT: -1, 'order_amount ': 5, '': '', '\u0000': 1 }) },
  { name: 'null everywhere', weight: 2, make: (c) => withBody(c, replaceWhere(c.body ?? {}, () => true, () => null)) },
  { name: 'wrong types everywhere', weight: 2, make: (c) => withBody(c, replaceWhere(c.body ?? {}, () => c.rng.bool(0.5), () => c.rng.pick(['1', 1, true, [], {}, null]))) },

  // Credentials
  { name: 'no credentials', weight: 3, make: (c) => ({ ...withBody(c, c.body), headers: { 'content-type': 'application/json' } }) },
  // A wrong password for the other merchant, so the throttle's lock on that name (429) never stops
  // the main merchant's requests.
  { name: 'wrong password', weight: 1, make: (c) => ({ ...withBody(c, c.body, { authorization: `Basic ${b64(`${Buffer.from(c.otherAuthorization.slice(6), 'base64').toString().split(':')[0]}:wrong`)}` }), remoteAddress: guesser }) },
  { name: 'unknown user', weight: 1, make: (c) => ({ ...withBody(c, c.body, { authorization: `Basic ${b64('nobody:nothing-at-all')}` }), remoteAddress: guesser }) },
  ...[
    'Basic',
    'Basic ',
    'Basic !!!!',
    `Basic ${b64('nocolon')}`,
    `Basic ${b64(':onlypassword')}`,
    `Basic ${b64('user:')}`,
    'Bearer abc.def.ghi',
    'Digest username="x"',
    `Basic ${b64('a\u0000b:c')}`,
    `Basic ${b64('ünïcødé:pässwörd')}`,
    `Basic ${b64('x'.repeat(5000) + ':y')}`,
    `basic ${b64('a:b')}`,
    `Basic ${b64('a:b')} trailing`,
    `Basic ${'A'.repeat(7000)}`,
  ].map((auth) => ({ name: `bad Authorization ${auth.slice(0, 24)}`, weight: 1, make: (c: NastyContext) => ({ ...withBody(c, c.body, { authorization: auth }), remoteAddress: guesser }) })),
  { name: "another merchant's credentials", weight: 3, make: (c) => withBody(c, c.body, { authorization: c.otherAuthorization }) },

  // Paths and ids
  ...[
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '..',
    '%2e%2e',
    '%2e%2e%2f%2e%2e%2f',
    '....//....//',
    '%00',
    'abc%00def',
    '%ZZ',
    '%',
    '%F0%9F%98%80',
    '%C0%AE%C0%AE',
    'a%20b',
    'a'.repeat(limits.idLengthMax),
    'a'.repeat(limits.idLengthMax + 1),
    'a'.repeat(10_000),
    '%E2%80%AE',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    '*',
    "1' OR '1'='1",
  ].map((id) => ({
    name: `hostile id ${id.slice(0, 24)}`,
    weight: 1,
    make: (c: NastyContext) => ({ ...withBody(c, c.body), url: c.op.path.replace(/\{[^}]+\}/g, id).replace(/^\/(?=[^/])/, '/') + (c.op.pathParams.length ? '' : `/${id}`) }),
  })),
  ...['/../../etc/passwd', '/payments/v1/../../etc/passwd', '//payments//v1//sessions', '/payments/v1/sessions/../sessions', '/%2e%2e/%2e%2e/etc/passwd', '/payments/v1/sessions?__proto__[x]=1&a[]=1', '/payments/v1/sessions#frag', '/v2/../payments/v1/sessions', '/v2/does-not-exist', '/payments/v9/sessions', '/ordermanagement/v1/orders/', '/ordermanagement/v1/orders//captures'].map((path) => ({
    name: `hostile path ${path.slice(0, 30)}`,
    weight: 1,
    make: (c: NastyContext) => ({ method: c.rng.pick(['GET', 'POST', 'DELETE', 'PATCH']), url: path, headers: { authorization: c.authorization, 'content-type': 'application/json' }, payload: '{}' }),
  })),
  { name: 'huge query string', weight: 1, make: (c) => ({ ...withBody(c, c.body), url: `${c.url}?${'q=1&'.repeat(5000)}` }) },

  // Methods
  ...['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'GET', 'POST'].map((method) => ({
    name: `method ${method}`,
    weight: 1,
    make: (c: NastyContext) => ({ method, url: c.url, headers: { authorization: c.authorization, 'content-type': 'application/json' }, payload: method === 'GET' || method === 'HEAD' ? undefined : '{}' }),
  })),

  // Idempotency keys
  ...['', ' ', 'x'.repeat(limits.idempotencyKeyLengthMax + 1), 'tab\there', 'ünïcode', 'a,b', '\u007f'].map((key) => ({
    name: `idempotency key ${JSON.stringify(key).slice(0, 20)}`,
    weight: 1,
    make: (c: NastyContext) => withBody(c, c.body, { 'klarna-idempotency-key': key }),
  })),
];
