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
const secretInText = new RegExp(
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
  const groups = rest.at(-1) as SecretGroups;
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
  return text.replace(secretInText, censorMatch);
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

/**
 * The path and query string of a request as the requests log keeps them. With the route pattern
 * (`/payments/v1/authorizations/:authorizationToken/order`) the token segments are known; without
 * one (an unmatched route) every segment that is not a plain word is replaced, as in error bodies.
 */
export function redactUrl(url: string, routePattern: string | undefined, known: readonly string[] = []): string {
  // Known secrets as the client may have written them in a URL: plain and %-encoded.
  known = known.flatMap((secret) => [secret, encodeURIComponent(secret)]);
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const pathSegments = path.split('/');
  const patternSegments = routePattern?.split('/');
  const redactedPath =
    patternSegments && patternSegments.length === pathSegments.length && !routePattern!.includes('*')
      ? pathSegments.map((segment, i) => (patternSegments[i]!.startsWith(':') && secretParamName.test(patternSegments[i]!) ? censored : redactText(segment, known))).join('/')
      : pathSegments.map((segment) => (segment === '' || /^(v\d{1,2}|[a-z]+(-[a-z]+)*)$/.test(segment) ? segment : '{id}')).join('/');
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
