/**
 * Values from JSON schemas (as published in /openapi.json): `validValue` builds a value the schema
 * accepts (within bounds, matching patterns), `mutate` breaks one spot of a value in a hostile way
 * (wrong type, out of range, missing or extra field, control characters, __proto__, deep nesting…).
 * Everything draws from a seeded Prng so a run reproduces.
 */
import type { JsonSchema } from './openapi.js';
import type { Prng } from './prng.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const unicodeOddities = [
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\r\n',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  '\u0301\u0301\u0301',
  'Z\u0351\u0358\u0352\u0344',
  '\uffff',
  '%00',
  '%2e%2e%2f',
  '../../etc/passwd',
  "'; DROP TABLE aggregates; --",
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  '\\u0000',
  'ß'.repeat(3),
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
];

/** A string matching a (simple) regular expression: classes, ranges, escapes, quantifiers, groups. */
export function stringForPattern(pattern: string, rng: Prng): string {
  let i = 0;
  const src = pattern;
  const parseAlternation = (): (() => string) => {
    const branches: (() => string)[][] = [[]];
    while (i < src.length && src[i] !== ')') {
      if (src[i] === '|') {
        i++;
        branches.push([]);
        continue;
      }
      const atom = parseAtom();
      if (atom) branches[branches.length - 1]!.push(parseQuantifier(atom));
    }
    return () => rng.pick(branches).map((f) => f()).join('');
  };
  const parseQuantifier = (atom: () => string): (() => string) => {
    const c = src[i];
    let min = 1;
    let max = 1;
    if (c === '*') (min = 0), (max = 4), i++;
    else if (c === '+') (min = 1), (max = 4), i++;
    else if (c === '?') (min = 0), (max = 1), i++;
    else if (c === '{') {
      const end = src.indexOf('}', i);
      const [a, b] = src.slice(i + 1, end).split(',');
      min = Number(a);
      max = b === undefined ? min : b === '' ? min + 4 : Number(b);
      i = end + 1;
    }
    if (src[i] === '?') i++; // lazy
    return () => {
      const n = rng.int(min, Math.min(max, min + 8));
      let out = '';
      for (let k = 0; k < n; k++) out += atom();
      return out;
    };
  };
  const classChars = (body: string): string[] => {
    const chars: string[] = [];
    let j = 0;
    const next = (): string => {
      if (body[j] === '\\') {
        const e = body[j + 1]!;
        j += 2;
        if (e === 'x') {
          const h = body.slice(j, j + 2);
          j += 2;
          return String.fromCharCode(parseInt(h, 16));
        }
        if (e === 'd') return '\u0000d';
        if (e === 'w') return '\u0000w';
        if (e === 's') return '\u0000s';
        return e;
      }
      return body[j++]!;
    };
    while (j < body.length) {
      const a = next();
      if (a.startsWith('\u0000')) {
        chars.push(...escapeSet(a[1]!));
        continue;
      }
      if (body[j] === '-' && j + 1 < body.length) {
        j++;
        const b = next();
        for (let c = a.charCodeAt(0); c <= b.charCodeAt(0); c++) chars.push(String.fromCharCode(c));
      } else chars.push(a);
    }
    return chars;
  };
  const escapeSet = (e: string): string[] => {
    if (e === 'd') return [...'0123456789'];
    if (e === 'w') return [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'];
    if (e === 's') return [' '];
    return [e];
  };
  const parseAtom = (): (() => string) | undefined => {
    const c = src[i]!;
    if (c === '^' || c === '$') {
      i++;
      return undefined;
    }
    if (c === '(') {
      i++;
      if (src[i] === '?' && src[i + 1] === ':') i += 2;
      const inner = parseAlternation();
      i++; // ')'
      return inner;
    }
    if (c === '[') {
      const end = findClassEnd(src, i);
      let body = src.slice(i + 1, end);
      i = end + 1;
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      const set = classChars(body);
      const pool = negated ? [...'abcdefghijklmnopqrstuvwxyz0123456789'].filter((ch) => !set.includes(ch)) : set;
      return () => rng.pick(pool.length ? pool : ['x']);
    }
    if (c === '\\') {
      const e = src[i + 1]!;
      i += 2;
      if (e === 'x') {
        const ch = String.fromCharCode(parseInt(src.slice(i, i + 2), 16));
        i += 2;
        return () => ch;
      }
      const set = escapeSet(e);
      return () => rng.pick(set);
    }
    if (c === '.') {
      i++;
      return () => rng.pick([...'abcxyz019-_']);
    }
    i++;
    return () => c;
  };
  const gen = parseAlternation();
  for (let attempt = 0; attempt < 20; attempt++) {
    const s = gen();
    try {
      if (new RegExp(pattern, 'u').test(s)) return s;
    } catch {
      return s;
    }
  }
  return gen();
}

function findClassEnd(src: string, start: number): number {
  for (let j = start + 1; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === ']' && j > start + 1) return j;
  }
  return src.length - 1;
}

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? schema.type[0];
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

const words = ['Running shoe', 'Lamp', 'Gift card', 'Shipping', 'Widget', 'Tee', 'Kassa', 'Voucher'];

function stringValue(schema: JsonSchema, rng: Prng, name: string): string {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, 40);
  if (schema.pattern) return stringForPattern(schema.pattern, rng);
  switch (schema.format) {
    case 'date-time':
      return new Date(Date.UTC(2026, 0, 15) + rng.int(0, 86_400_000)).toISOString();
    case 'date':
      return '1970-07-10';
    case 'uri':
    case 'url':
      return `https://example.com/${rng.hex(6)}`;
    case 'email':
      return `customer+${rng.hex(4)}@email.se`;
    case 'uuid':
      return rng.uuid();
  }
  if (/url|uri/i.test(name)) return `https://example.com/${rng.hex(6)}`.slice(0, Math.max(max, 1));
  if (/email/i.test(name)) return 'customer@email.se';
  if (/currency/i.test(name) && max >= 3) return rng.pick(['SEK', 'EUR', 'USD', 'GBP']);
  if (/country/i.test(name) && max >= 2) return rng.pick(['SE', 'DE', 'US', 'GB']);
  if (/locale/i.test(name) && max >= 5) return rng.pick(['sv-SE', 'de-DE', 'en-US', 'en-GB']);
  let s = rng.pick(words);
  while (s.length < min) s += 'x';
  return s.slice(0, Math.max(min, Math.min(max, s.length)));
}

function numberValue(schema: JsonSchema, rng: Prng, integer: boolean, name: string): number {
  let lo = schema.minimum ?? (integer ? 0 : 0);
  let hi = schema.maximum ?? (/amount|price/i.test(name) ? 100_000 : 1000);
  if (typeof schema.exclusiveMinimum === 'number') lo = schema.exclusiveMinimum + 1;
  if (typeof schema.exclusiveMaximum === 'number') hi = schema.exclusiveMaximum - 1;
  // Keep most values small and realistic; sometimes hit the bounds exactly.
  const r = rng.float();
  if (r < 0.1) return lo;
  if (r < 0.2) return hi;
  const span = Math.min(hi - lo, /amount|price/i.test(name) ? 100_000 : 1000);
  const v = lo + rng.int(0, Math.max(0, Math.floor(span)));
  return integer ? Math.trunc(v) : v;
}

/** A value the schema accepts (best effort for cross-field rules, which live in the domain). */
export function validValue(schema: JsonSchema, rng: Prng, name = '', depth = 0): Json {
  if (schema.const !== undefined) return schema.const as Json;
  if (schema.enum) return rng.pick(schema.enum) as Json;
  if (schema.anyOf?.length) return validValue(rng.pick(schema.anyOf), rng, name, depth);
  if (schema.oneOf?.length) return validValue(rng.pick(schema.oneOf), rng, name, depth);
  if (schema.allOf?.length) return Object.assign({}, ...schema.allOf.map((s) => validValue(s, rng, name, depth)));
  switch (typeOf(schema)) {
    case 'object': {
      const out: Record<string, Json> = {};
      for (const [k, s] of Object.entries(schema.properties ?? {})) {
        const required = schema.required?.includes(k);
        if (required || (depth < 4 && rng.bool(0.35))) out[k] = validValue(s, rng, k, depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? 3, min + 3);
      const n = depth > 4 ? min : rng.int(min, Math.max(min, max));
      return Array.from({ length: n }, () => validValue(schema.items ?? {}, rng, name, depth + 1));
    }
    case 'string':
      return stringValue(schema, rng, name);
    case 'integer':
      return numberValue(schema, rng, true, name);
    case 'number':
      return numberValue(schema, rng, false, name);
    case 'boolean':
      return rng.bool();
    case 'null':
      return null;
    default:
      return rng.pick([null, 'x', 1, true, {}] as Json[]);
  }
}

export interface Mutation {
  value: Json | undefined;
  /** What was done, for the failure report: "order_lines[0].quantity: fractional number". */
  what: string;
}

/** A hostile replacement for one value of the given schema. */
function hostileFor(schema: JsonSchema, rng: Prng): [Json | undefined, string] {
  const t = typeOf(schema);
  const numeric = t === 'integer' || t === 'number';
  const choices: [number, () => [Json | undefined, string]][] = [
    [2, () => [null, 'null']],
    [2, () => [rng.pick(['', 'abc', '12', '1e3', 'NaN', 'Infinity', '-0', '0x10', ' 5 ']), 'string instead']],
    [2, () => [rng.pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, -(2 ** 63), 0.1 + 0.2, 1e-9]), 'number instead']],
    [1, () => [rng.bool(), 'boolean instead']],
    [1, () => [[], 'empty array instead']],
    [1, () => [{}, 'empty object instead']],
    [1, () => [undefined, 'removed']],
    [1, () => [deepNesting(rng.int(50, 2000)), 'deep nesting']],
    [1, () => [JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'), '__proto__ object']],
  ];
  if (numeric) {
    const lo = schema.minimum ?? 0;
    const hi = schema.maximum ?? 200_000_000;
    choices.push(
      [5, () => [rng.pick([-1, -100, -(2 ** 31), lo - 1]), 'negative / below minimum']],
      [5, () => [rng.pick([0.5, 99.99, 1.0000001, 12.5]), 'fractional']],
      [5, () => [rng.pick([hi + 1, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 1e21, 9007199254740993]), 'huge / unsafe integer']],
    );
  }
  if (t === 'string') {
    const maxLen = schema.maxLength ?? 1000;
    choices.push(
      [4, () => ['x'.repeat(maxLen + 1), 'one over maxLength']],
      [2, () => ['y'.repeat(Math.min(maxLen * 10 + 10, 200_000)), 'far over maxLength']],
      [4, () => [rng.pick(unicodeOddities) + 'a' + rng.pick(unicodeOddities), 'control chars / odd unicode']],
      [2, () => ['', 'empty string']],
      [1, () => ['\u0000'.repeat(20), 'NUL bytes']],
    );
    if (schema.enum || schema.const !== undefined || schema.anyOf) choices.push([3, () => [rng.pick(['bogus', 'BUY', 'Physical', ' physical']), 'not in enum']]);
  }
  if (t === 'array') {
    const max = schema.maxItems ?? 1000;
    choices.push(
      [3, () => [Array.from({ length: Math.min(max + 1, 5000) }, () => validValue(schema.items ?? {}, rng, '', 5)), 'one over maxItems']],
      [2, () => [[null, 1, 'x', {}], 'mixed item types']],
    );
  }
  if (t === 'object') {
    choices.push(
      [3, () => [{ ...(validValue(schema, rng) as object), ['x_extra_' + rng.hex(4)]: 'extra' }, 'extra field']],
      [2, () => [JSON.parse('{"__proto__":{"isAdmin":true}}'), '__proto__ key']],
    );
  }
  const pick = rng.weighted(choices.map(([w, f]) => [w, f] as const));
  return pick();
}

/**
 * A placeholder for a value nested `depth` levels deep ({"a":[{"a":…}]}). Deeper than JSON.stringify
 * can recurse, so it is expanded as text by `toJson`.
 */
export function deepNesting(depth: number): Json {
  return `\u0000DEEP:${depth}\u0000`;
}

function deepText(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += i % 2 ? '[' : '{"a":';
    close = (i % 2 ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}

/** JSON.stringify, expanding deepNesting placeholders. */
export function toJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000DEEP:(\d+)\\u0000"/g, (_, d: string) => deepText(Number(d)));
}

interface Spot {
  path: (string | number)[];
  schema: JsonSchema;
  parentRequired: boolean;
}

/** Every place in `value` with the schema that governs it. */
function spots(value: Json, schema: JsonSchema, path: (string | number)[] = [], out: Spot[] = [], required = true): Spot[] {
  out.push({ path, schema, parentRequired: required });
  const s = schema.anyOf?.[0] ?? schema;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      const child = s.properties?.[k];
      if (child) spots(v, child, [...path, k], out, Boolean(s.required?.includes(k)));
    }
  } else if (Array.isArray(value)) {
    value.slice(0, 5).forEach((v, idx) => spots(v, s.items ?? {}, [...path, idx], out, true));
  }
  return out;
}

function setAt(root: Json, path: (string | number)[], v: Json | undefined): Json | undefined {
  if (path.length === 0) return v;
  const copy = structuredClone(root) as any;
  let cur = copy;
  for (const p of path.slice(0, -1)) cur = cur[p];
  const last = path[path.length - 1]!;
  if (v === undefined) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else if (last === '__proto__') Object.defineProperty(cur, last, { value: v, enumerable: true, writable: true, configurable: true });
  else cur[last] = v;
  return copy;
}

export function pathLabel(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || 'body';
}

/** Breaks one spot of `value` (governed by `schema`). */
export function mutate(value: Json, schema: JsonSchema, rng: Prng): Mutation {
  const all = spots(value, schema);
  const spot = rng.pick(all);
  if (rng.bool(0.12) && spot.schema.properties) {
    // A missing required field, or an extra unknown one.
    const required = spot.schema.required ?? [];
    if (required.length && rng.bool(0.7)) {
      const k = rng.pick(required);
      return { value: setAt(value, [...spot.path, k], undefined), what: `${pathLabel([...spot.path, k])}: required field removed` };
    }
    const extra = rng.pick(['__proto__', 'constructor', 'x_unknown', 'order_amount ', 'ORDER_AMOUNT']);
    return { value: setAt(value, [...spot.path, extra], { polluted: true }), what: `${pathLabel([...spot.path, extra])}: extra field` };
  }
  const [v, what] = hostileFor(spot.schema, rng);
  return { value: setAt(value, spot.path, v), what: `${pathLabel(spot.path)}: ${what}` };
}
