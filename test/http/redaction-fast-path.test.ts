/**
 * The requests log's fast redaction paths give what the slow ones give, on many generated inputs
 * (seeded, so a failure repeats): findSecrets's candidate loop against one `replace` of the whole
 * expression, the JSON text pass against parse + walk + stringify (secrets as non-string values,
 * nested objects and arrays, keys in odd case, escaped strings, the caller's password anywhere),
 * and redactUrl against its former split-and-map form. The fast paths may decline (undefined);
 * they may never censor less.
 */
import { describe, expect, it } from 'vitest';
import { redactJsonText } from '../../src/http/redact-json-text.js';
import { censored, redactJson, redactText, redactTextByRegex, redactUrl, secretFieldNames } from '../../src/http/redaction.js';

/** mulberry32: small, seeded. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const password = 'hunter2-Pass';

function generator(seed: number) {
  const r = random(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chars = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');
  const hex = '0123456789abcdef';
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const luhn = (body: string) => {
    for (let d = 0; d < 10; d++) {
      const digits = body + d;
      let sum = 0;
      for (let i = 0; i < digits.length; i++) {
        let x = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
        sum += x;
      }
      if (sum % 10 === 0) return digits;
    }
    return body + '0';
  };
  const uuid = (version: string) => `${chars(hex, 8)}-${chars(hex, 4)}-${version}${chars(hex, 3)}-${pick(['8', '9', 'a', 'b', 'A', 'c'])}${chars(hex, 3)}-${chars(hex, 12)}`;
  const fragments: (() => string)[] = [
    () => pick(['SE', 'SEK', 'sv-SE', 'physical', 'Bench Tee', 'ACCEPTED', 'pay_now', 'x', '', ' ', '-', '--', '_']),
    () => chars('abcdefghijklmnopqrstuvwxyz', 1 + int(20)),
    () => chars(b64, 1 + int(60)),
    () => chars('0123456789', 1 + int(22)),
    () => chars('0123456789 -', 1 + int(24)),
    () => uuid('4'),
    () => uuid('7'),
    () => uuid(pick(['4', '7'])).toUpperCase(),
    () => `eyJ${chars(b64, 1 + int(20))}.${chars(b64, 1 + int(20))}.${chars(b64, int(20))}`,
    () => `krn:${pick(['payment', 'partner'])}:${pick(['eu1', 'global'])}:${pick(['payment-token', 'network-session-token', 'account', 'interoperability-token'])}:${chars(b64 + '.:', 1 + int(30))}`,
    () => `${pick(['Basic', 'Bearer', 'basic', 'Basicx'])}${pick([' ', '  ', '\t', ''])}${chars(b64 + '+/=.~', int(20))}`,
    () => `https://shop.example/${pick(['merchant/v1/notifications/', 'payments/v1/redirect/token/', 'pay?', 'x#'])}${pick(['t=', 'client_token=', 'a=b&token=', 'q=1', ''])}${chars(b64, int(30))}`,
    () => luhn(chars('0123456789', 12 + int(7))),
    () => {
      const d = luhn(chars('0123456789', 15));
      const sep = pick([' ', '-']);
      return `${d.slice(0, 4)}${sep}${d.slice(4, 8)}${sep}${d.slice(8, 12)}${sep}${d.slice(12)}`;
    },
    () => {
      const d = luhn(chars('0123456789', 14));
      const sep = pick([' ', '-']);
      return `${d.slice(0, 4)}${sep}${d.slice(4, 10)}${sep}${d.slice(10)}`;
    },
    () => pick(['2026-12-03T10:31:37.000Z', '2026-12-03', 'http://127.0.0.1:4545/assets/pay_now/descriptive.svg']),
    () => pick(['"', '\\', '\n', 'é', 'Ω', '\u212a', '😀', '=', '#', '?', '&', '/', ':', '.', '~']),
    () => password,
    () => encodeURIComponent(password),
  ];
  const text = (): string => Array.from({ length: 1 + int(6) }, () => pick(fragments)()).join(pick(['', '', ' ', '-', '/', '.', ',', '=', '_']));
  const oddCase = (name: string) => [...name].map((c) => (r() < 0.3 ? c.toUpperCase() : c)).join('');
  const key = (): string =>
    pick<() => string>([
      () => pick(['order_id', 'name', 'purchase_country', 'items', 'merchant_reference1', 'a', '__proto__', '']),
      () => pick(secretFieldNames),
      () => oddCase(pick(secretFieldNames)),
      () => pick(['to\u212aen_id', 'Password', 'SECRET']),
      () => text(),
    ])();
  const value = (depth: number): unknown => {
    const roll = r();
    if (depth > 3 || roll < 0.45) return text();
    if (roll < 0.55) return pick([0, 1, -1, 20000, 4111111111111111, 1.5, -0, 1e21, 123456789012345]);
    if (roll < 0.62) return pick([true, false, null]);
    if (roll < 0.8) return Array.from({ length: int(5) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: int(6) }, () => [key(), value(depth + 1)]));
  };
  return { text, value, int, pick };
}

describe('redaction fast paths', () => {
  it('findSecrets finds exactly what one replace of the whole expression finds', () => {
    const g = generator(1);
    let censoredTexts = 0;
    const runs = 6_000;
    for (let i = 0; i < runs; i++) {
      const t = g.text();
      const got = redactText(t);
      expect(got).toBe(redactTextByRegex(t));
      expect(redactText(t, [password])).toBe(redactTextByRegex(t, [password]));
      if (got !== t) censoredTexts++;
    }
    // The generator makes tokens often enough for the comparison to mean something.
    expect(censoredTexts).toBeGreaterThan(runs * 0.3);
  });

  it('the JSON text pass gives what parse, walk and stringify give, or declines', () => {
    const g = generator(2);
    let fast = 0;
    const runs = 4_000;
    for (let i = 0; i < runs; i++) {
      const v = g.value(0);
      const text = JSON.stringify(v);
      // The slow path's reference, as the requests log writes it.
      const slow = JSON.stringify(redactJson(JSON.parse(text), [password]));
      for (const stringified of [true, false]) {
        const got = redactJsonText(text, [password], { stringified });
        if (got === undefined) continue;
        if (stringified) fast++;
        if (text.includes('"__proto__"')) expect(JSON.stringify(redactJson(JSON.parse(got), [password]))).toBe(slow);
        else expect(got).toBe(slow);
      }
      // The value itself, as a request body is logged.
      const body = redactJsonText(JSON.stringify(v), [password], { stringified: true });
      if (body !== undefined && !text.includes('"__proto__"')) expect(body).toBe(JSON.stringify(redactJson(v, [password])));
    }
    // Escapes and surrogates send some to the slow path; most take the fast one.
    expect(fast).toBeGreaterThan(runs * 0.4);
  });

  it('declines text that is not JSON as JSON.stringify writes it, and never censors less', () => {
    const g = generator(3);
    for (let i = 0; i < 4_000; i++) {
      let text = JSON.stringify(g.value(0));
      const mutation = g.int(6);
      const at = g.int(text.length + 1);
      if (mutation === 0) text = text.slice(0, at);
      else if (mutation === 1) text = text.slice(0, at) + g.pick([' ', '\n', ',', ':', '{', '}', '[', ']', '"', '1', '.5', 'e3', '-', 'nul', 'x']) + text.slice(at);
      else if (mutation === 2) text = text.slice(0, at) + text.slice(at + 1);
      else if (mutation === 3) text = JSON.stringify(JSON.parse(text), null, 1);
      const got = redactJsonText(text, [password]);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        expect(got).toBeUndefined();
        continue;
      }
      if (got === undefined) continue;
      // Accepted: canonical, so exactly the slow path's answer (modulo a key written twice, which it keeps).
      const slow = JSON.stringify(redactJson(parsed, [password]));
      if (JSON.stringify(parsed) === text && !text.includes('"__proto__"')) expect(got).toBe(slow);
      // A key written twice is kept twice, each value redacted as the slow path redacts the one it keeps.
      if (!text.includes('"__proto__"')) expect(JSON.stringify(JSON.parse(got))).toBe(slow);
    }
  });

  it('censors secret fields whatever their value, at any depth, in any case, and leaves null', () => {
    const text = JSON.stringify({
      a: [{ PassWord: { deep: 'x' }, CVV: 123, Pan: [1, 2], secret: true, api_key: null, 'to\u212aen_id': 'k' }],
      n: 4111111111111,
      s: 'card 4111 1111 1111 1111 and hunter2-Pass',
    });
    const got = redactJsonText(text, [password]);
    expect(got).toBe(JSON.stringify(redactJson(JSON.parse(text), [password])));
    expect(JSON.parse(got!)).toEqual({
      a: [{ PassWord: censored, CVV: censored, Pan: censored, secret: censored, api_key: null, 'to\u212aen_id': censored }],
      n: 4111111111111,
      s: `card ${censored} and ${censored}`,
    });
  });

  it('redactUrl gives what its split-and-map form gave', () => {
    const g = generator(4);
    const routes = ['/payments/v1/authorizations/:authorizationToken/order', '/ordermanagement/v1/orders/:order_id/captures', '/customer-token/v1/tokens/:customerToken/order', '/files/*', '/payments/v1/sessions'];
    for (let i = 0; i < 2_000; i++) {
      const route = g.pick(routes);
      const segments = route.split('/').map((s) => (s.startsWith(':') || s === '*' || g.int(5) === 0 ? encodeURI(g.text()).replace(/[/?#]/g, '') : s));
      if (g.int(4) === 0) segments.push('extra');
      const query = g.pick(['', `?${g.pick(['client_token', 'limit', 'q', 'Password', 'x%20token'])}=${encodeURIComponent(g.text())}&${g.text().replace(/[&#]/g, '')}`]);
      const url = segments.join('/') + query;
      const pattern = g.int(6) === 0 ? undefined : route;
      for (const known of [[], [password]]) expect(redactUrl(url, pattern, known)).toBe(formerRedactUrl(url, pattern, known));
    }
  });
});

/** redactUrl as it was before the route's segments were remembered (the reference). */
function formerRedactUrl(url: string, routePattern: string | undefined, known: readonly string[]): string {
  known = known.flatMap((secret) => [secret, encodeURIComponent(secret)]);
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const pathSegments = path.split('/');
  const patternSegments = routePattern?.split('/');
  const redactedPath =
    patternSegments && patternSegments.length === pathSegments.length && !routePattern!.includes('*')
      ? pathSegments.map((segment, i) => (patternSegments[i]!.startsWith(':') && /token/i.test(patternSegments[i]!) ? censored : redactTextByRegex(segment, known))).join('/')
      : pathSegments.map((segment) => (segment === '' || /^(v\d{1,2}|[a-z]+(-[a-z]+)*)$/.test(segment) ? segment : '{id}')).join('/');
  if (!query) return redactedPath;
  const pairs = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return redactTextByRegex(pair, known);
    const rawName = pair.slice(0, eq);
    let name = rawName;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      // as written
    }
    return secretFieldNames.includes(name.toLowerCase() as never) || /token|secret|password|passwd|signature|api[_-]?key|auth/i.test(name)
      ? `${rawName}=${censored}`
      : `${rawName}=${redactTextByRegex(pair.slice(eq + 1), known)}`;
  });
  return `${redactedPath}?${pairs.join('&')}`;
}
