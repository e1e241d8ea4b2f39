/**
 * Which fields carry secrets, and how to take them out of what Kassa keeps about a request. One
 * list serves the logger (pino's redaction paths in src/kassa.ts) and the requests log
 * (request-log.ts), so a field named secret in one is secret in the other (DESIGN.md, Security:
 * "no secret or token ever appears in a log").
 *
 * The requests log keeps whole bodies, so it goes further than the logger: fields are censored at
 * every depth (pino's `*.field` reaches one level down), tokens in a path or a query string are
 * replaced, and strings that look like a card number (13-19 digits passing the Luhn check) or a
 * credential (`Basic …`, `Bearer …`) are censored wherever they appear.
 */
export const censored = '[redacted]';

/**
 * Body and object fields whose value is a secret: passwords, shared secrets, signing keys, and
 * every token that is a bearer credential (authorization, payment, customer, client, network
 * session, interoperability, journey and notification tokens).
 */
export const secretFieldNames = [
  'password',
  'secret',
  'client_token',
  'authorization_token',
  'payment_token',
  'klarna_network_session_token',
  'interoperability_token',
  'signing_key',
  // A customer token is a standing charge authority: its id is the credential (reference §3).
  'token_id',
  'customer_token',
  'customer_token_id',
  'notification_token',
  'password_sealed',
  'shared_secret',
  'api_key',
  // Card data, should a client send any (Kassa never asks for it).
  'card_number',
  'pan',
  'cvv',
  'cvc',
  'security_code',
] as const;

const secretFields = new Set<string>(secretFieldNames);

/** Query parameters: the secret fields, and any name that says it holds a token or a secret. */
const secretQueryName = /token|secret|password|passwd|signature|api[_-]?key|auth/i;

/** Route parameters that are tokens (`:authorizationToken`, `:customerToken`, `:token`, `:token_id`). */
const secretParamName = /token/i;

/**
 * Everything censored inside text, as one regular expression (one pass over each string: this runs
 * on every logged body). The alternatives, tried in this order at each position:
 * - credentials: `Basic …`, `Bearer …`;
 * - tokens by place: the merchant role's notification URL and the customer-token redirect (their
 *   last segment is a token), a URL query or fragment parameter `t=` (the journey token of
 *   payment_request_url) or `…token…=`;
 * - tokens by shape, so that one a client put in an ordinary field (or used as an id) is censored
 *   too: JWTs (client tokens), token KRNs (payment, network session and interoperability tokens),
 *   version-4 UUIDs (authorization and customer tokens: Kassa's capabilities are v4, its object ids
 *   v7, see src/app/ids.ts), and long random base64url strings of mixed case (journey,
 *   notification and signing-key secrets);
 * - card numbers: 13-19 digits in a row, or grouped as cards print them (4-4-4-1..7, Amex's
 *   4-6-5; a UUID's 8-4-4 is not), passing the Luhn check.
 */
export const secretInText = new RegExp(
  [
    String.raw`\b(?<scheme>Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{8,}`,
    String.raw`(?<place>/merchant/v1/notifications/|/payments/v1/redirect/token/)[^/?#"\s]+`,
    String.raw`(?<param>[#?&](?:t|[A-Za-z_]*token[A-Za-z_]*)=)[^&#"\s]+`,
    String.raw`\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`,
    String.raw`\b(?<krn>krn:[a-z0-9]+:[a-z0-9]+:[a-z0-9-]*token:)[A-Za-z0-9._:-]+`,
    String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}\b`,
    String.raw`(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])`,
    String.raw`\b(?<card>\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{5})\b`,
  ].join('|'),
  'g',
);

/** No alternative above matches fewer characters than this, except a URL parameter (which needs `=`). */
const shortestSecretChars = 13;

interface SecretGroups {
  scheme?: string;
  place?: string;
  param?: string;
  krn?: string;
  card?: string;
}

function censorMatch(match: string, ...rest: unknown[]): string {
  const groups = (rest.at(-1) ?? {}) as SecretGroups;
  if (groups.scheme) return `${groups.scheme} ${censored}`;
  const prefix = groups.place ?? groups.param ?? groups.krn;
  if (prefix) return `${prefix}${censored}`;
  if (groups.card !== undefined) {
    const digits = groups.card.replace(/[ -]/g, '');
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? censored : match;
  }
  return censored;
}

/** Known secrets (the caller's own password) shorter than this are not searched for: too many false hits. */
const minKnownSecretChars = 4;

/** Whether a run of digits passes the Luhn check (every card number does). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Censors the known secrets (the caller's own password) in a piece of text. */
export function redactKnown(text: string, known: readonly string[]): string {
  for (const secret of known) if (secret.length >= minKnownSecretChars && text.includes(secret)) text = text.split(secret).join(censored);
  return text;
}

/** Censors credentials, tokens (by place and by shape) and card numbers inside a piece of text. */
export function redactText(text: string, known: readonly string[] = []): string {
  text = redactKnown(text, known);
  // Most values (country codes, amounts as text, names) are too short to hold any of it.
  if (text.length < shortestSecretChars && !text.includes('=')) return text;
  if (text.length >= hintedCharsMin && !mayHoldSecret(text)) return text;
  const edits: TextEdit[] = [];
  findSecrets(text, 0, text.length, edits);
  return applyEdits(text, edits);
}

/**
 * What redactText did before it learnt to skip: one `replace` of `secretInText` over the whole
 * string. The reference the fast path is tested against (test/http/redaction-fast-path.test.ts).
 */
export function redactTextByRegex(text: string, known: readonly string[] = []): string {
  text = redactKnown(text, known);
  if (text.length < shortestSecretChars && !text.includes('=')) return text;
  return text.replace(secretInText, censorMatch);
}

/**
 * Where text may hold a token, found natively (a few times cheaper than findSecrets's loop over
 * each character): every match of every alternative of `secretInText` contains a match of one of
 * these (`Basic`/`Bearer`, `eyJ`, `krn:`, `#?&`, the two token places, a v4 UUID's version and
 * variant, a card's first 13 digits or first two groups and separators, 4-4 or 4-6), or is a long
 * mixed-case run, which needs `longRandomCharsMin` characters and an upper-case letter. None of
 * them contains `"`, so in JSON text a hit lies inside one string.
 */
export const secretHints: readonly RegExp[] = [
  /Basic|Bearer|eyJ|krn:|[#?&]|\/merchant\/v1\/notifications\/|\/payments\/v1\/redirect\/token\//,
  /-4[0-9a-fA-F]{3}-[89abAB]/,
  /\d(?:\d{12}|\d{3}[ -]\d(?:\d{3}[ -]\d|\d{5}[ -]\d))/,
];
export const longRandomCharsMin = 32;

/** Whether `text` may hold a token: false means findSecrets would find nothing in it. */
export function mayHoldSecret(text: string): boolean {
  for (const hint of secretHints) if (hint.test(text)) return true;
  return text.length >= longRandomCharsMin && /[A-Z]/.test(text);
}

/** Below this length findSecrets's own loop is cheaper than the hints' several searches. */
const hintedCharsMin = 24;

/** A replacement of `text.slice(start, end)`; a list of them is in order and never overlaps. */
export interface TextEdit {
  start: number;
  end: number;
  replacement: string;
}

/** `text` with `edits` applied (the same string when there are none). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return text;
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.replacement;
    at = e.end;
  }
  return out + text.slice(at);
}

/**
 * The same matches as `text.replace(secretInText, …)` restricted to `[from, to)`, found without
 * running the regular expression at every position (about 25 ns a character on the machine of
 * docs/performance.md): it is tried, sticky (so its alternatives, lookbehinds and word boundaries
 * behave exactly as in a global search landing there), only where one of its alternatives could
 * match by a cheap look at the characters, which a loop finds at a few nanoseconds a character:
 * - `/` starting one of the two token places, or `#`, `?`, `&` (a URL parameter);
 * - the start of a run of base64url characters 32 or more long, with both cases (a long random string);
 * - a word start (a word character after a non-word one) that begins `Basic`, `Bearer`, `eyJ`,
 *   `krn:`, 13 digits or 4 digits and a separator and a digit (a card), or 36 run characters with
 *   a v4 UUID's dashes, version and variant.
 * Every match of every alternative begins at such a place, so the leftmost candidate that matches
 * is the leftmost match and the edits are those of the global replace. Matches never contain `"`,
 * so within a JSON string they end inside it. Appends an edit for every match whose censored form
 * differs from it.
 */
export function findSecrets(text: string, from: number, to: number, edits: TextEdit[]): void {
  let next = from; // where the previous match ended: a global search resumes there
  let p = from;
  while (p < to) {
    const c = text.charCodeAt(p);
    if (c < 128 && (charClass[c]! & runChar) !== 0) {
      let end = p;
      let cases = 0;
      for (; end < to; end++) {
        const d = text.charCodeAt(end);
        if (d >= 128) break;
        const k = charClass[d]!;
        if ((k & runChar) === 0) break;
        cases |= k;
      }
      if (end - p >= 32 && (cases & bothCases) === bothCases) next = tryAt(text, p, next, edits);
      for (let q = p; q < end; q++) {
        if (q < next) continue;
        const w = text.charCodeAt(q);
        if ((charClass[w]! & wordChar) === 0) continue;
        if (q > p && text.charCodeAt(q - 1) !== dash) continue; // not a word start
        if (
          (w === 66 /* B */ && (text.startsWith('Basic', q) || text.startsWith('Bearer', q))) ||
          (w === 101 /* e */ && text.startsWith('eyJ', q)) ||
          (w === 107 /* k */ && text.startsWith('krn:', q)) ||
          (end - q >= 36 && mayBeUuidV4(text, q)) ||
          ((charClass[w]! & digitChar) !== 0 && mayBeCard(text, q))
        )
          next = tryAt(text, q, next, edits);
      }
      p = end;
    } else {
      if (c === slash ? text.startsWith('/merchant/v1/notifications/', p) || text.startsWith('/payments/v1/redirect/token/', p) : c === hash || c === question || c === ampersand) {
        next = tryAt(text, p, next, edits);
      }
      p++;
    }
  }
}

/** Tries the expression at `p` (unless a match ended past it); returns where the search resumes. */
function tryAt(text: string, p: number, next: number, edits: TextEdit[]): number {
  if (p < next) return next;
  secretAt.lastIndex = p;
  const m = secretAt.exec(text);
  if (!m) return next;
  const replacement = censorMatch(m[0], m.groups);
  if (replacement !== m[0]) edits.push({ start: p, end: p + m[0].length, replacement });
  return p + m[0].length;
}

function mayBeUuidV4(text: string, q: number): boolean {
  const variant = text.charCodeAt(q + 19) | 0x20;
  return (
    text.charCodeAt(q + 8) === dash &&
    text.charCodeAt(q + 13) === dash &&
    text.charCodeAt(q + 14) === 52 /* 4 */ &&
    text.charCodeAt(q + 18) === dash &&
    (variant === 56 || variant === 57 || variant === 97 || variant === 98) /* 8 9 a b */ &&
    text.charCodeAt(q + 23) === dash
  );
}

/** 13 digits in a row, or 4 digits, a space or dash, and a digit (cards as printed). */
function mayBeCard(text: string, q: number): boolean {
  let digits = 0;
  while (digits < 13 && isDigit(text.charCodeAt(q + digits))) digits++;
  if (digits >= 13) return true;
  const separator = text.charCodeAt(q + 4);
  return digits === 4 && (separator === 32 || separator === dash) && isDigit(text.charCodeAt(q + 5));
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const secretAt = new RegExp(secretInText.source, 'y');
const [runChar, wordChar, digitChar, lowerChar, upperChar] = [1, 2, 4, 8, 16];
const bothCases = lowerChar | upperChar;
const [dash, slash, hash, question, ampersand] = ['-', '/', '#', '?', '&'].map((ch) => ch.charCodeAt(0)) as [number, number, number, number, number];
/** For each ASCII character: in a base64url run `[A-Za-z0-9_-]`, a word character `\w`, a digit. */
const charClass = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  charClass[c] = (/[A-Za-z0-9_-]/.test(ch) ? runChar : 0) | (/\w/.test(ch) ? wordChar : 0) | (/\d/.test(ch) ? digitChar : 0) | (/[a-z]/.test(ch) ? lowerChar : 0) | (/[A-Z]/.test(ch) ? upperChar : 0);
}

/** A copy of a parsed JSON value with every secret field censored, at any depth, and its text scrubbed. */
export function redactJson(value: unknown, known: readonly string[] = []): unknown {
  if (typeof value === 'string') return redactText(value, known);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactJson(v, known));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = secretFields.has(key.toLowerCase()) && v !== null && v !== undefined ? censored : redactJson(v, known);
  return out;
}

/** For each route pattern: which of its segments are token parameters (undefined: a wildcard route). */
const secretSegmentsByRoute = new Map<string, readonly boolean[] | undefined>();
const secretSegmentsByRouteMax = 1024;

function secretSegmentsOf(routePattern: string): readonly boolean[] | undefined {
  if (secretSegmentsByRoute.has(routePattern)) return secretSegmentsByRoute.get(routePattern);
  const segments = routePattern.includes('*') ? undefined : routePattern.split('/').map((p) => p.startsWith(':') && secretParamName.test(p));
  if (secretSegmentsByRoute.size >= secretSegmentsByRouteMax) secretSegmentsByRoute.clear();
  secretSegmentsByRoute.set(routePattern, segments);
  return segments;
}

/** Each segment of a path matched by a route: a token parameter censored, any other as text. */
function redactPathByRoute(path: string, secretSegments: readonly boolean[], known: readonly string[]): string {
  // Without a known secret in the path, a segment too short for a token stays as it is.
  const anyKnown = known.some((k) => k.length >= minKnownSecretChars && path.includes(k));
  const hinted = anyKnown || mayHoldSecret(path);
  let out = '';
  let start = 0;
  for (let i = 0; i < secretSegments.length; i++) {
    const last = i === secretSegments.length - 1;
    const end = last ? path.length : path.indexOf('/', start);
    if (secretSegments[i]) out += censored;
    else if (!hinted) out += path.slice(start, end);
    else out += redactText(path.slice(start, end), known);
    if (!last) out += '/';
    start = end + 1;
  }
  return out;
}

function countOf(text: string, code: number): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === code) n++;
  return n;
}

/** The known secrets and their %-encoded forms (the last list asked for is kept: it is the same caller's, request after request). */
let lastKnown: readonly string[] = [];
let lastUrlForms: readonly string[] = [];
function urlForms(known: readonly string[]): readonly string[] {
  if (known.length === 0) return known;
  if (known !== lastKnown) {
    lastUrlForms = known.flatMap((secret) => [secret, encodeURIComponent(secret)]);
    lastKnown = known;
  }
  return lastUrlForms;
}

/**
 * The path and query string of a request as the requests log keeps them. With the route pattern
 * (`/payments/v1/authorizations/:authorizationToken/order`) the token segments are known; without
 * one (an unmatched route) every segment that is not a plain word is replaced, as in error bodies.
 */
export function redactUrl(url: string, routePattern: string | undefined, known: readonly string[] = []): string {
  // Known secrets as the client may have written them in a URL: plain and %-encoded.
  known = urlForms(known);
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const secretSegments = routePattern === undefined ? undefined : secretSegmentsOf(routePattern);
  const redactedPath =
    secretSegments && secretSegments.length === countOf(path, slash) + 1
      ? redactPathByRoute(path, secretSegments, known)
      : path
          .split('/')
          .map((segment) => (segment === '' || /^(v\d{1,2}|[a-z]+(-[a-z]+)*)$/.test(segment) ? segment : '{id}'))
          .join('/');
  if (!query) return redactedPath;
  const pairs = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return redactText(pair, known);
    const rawName = pair.slice(0, eq);
    let name = rawName;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      // A malformed escape: judge the name as written.
    }
    return secretFields.has(name.toLowerCase()) || secretQueryName.test(name) ? `${rawName}=${censored}` : `${rawName}=${redactText(pair.slice(eq + 1), known)}`;
  });
  return `${redactedPath}?${pairs.join('&')}`;
}
