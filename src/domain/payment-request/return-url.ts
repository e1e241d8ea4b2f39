/**
 * `return_url` placeholders (reference §4, seed 004 "return_url placeholders"). When the customer
 * leaves the purchase journey, every `{klarna.payment_request.<name>}` in the partner's return_url is
 * replaced by the request's value, URL-encoded; a placeholder without a value (no token yet)
 * becomes empty. The legacy `{klarna.payment_request.payment_reference}` is the
 * payment_request_reference. Placeholders that arrive percent-encoded (`%7B…%7D`) are recognised
 * too. Unknown `{klarna.…}` names are left as they are.
 */

export const returnUrlPlaceholders = [
  'id',
  'state',
  'payment_token',
  'klarna_network_session_token',
  'interoperability_token',
  'payment_request_reference',
  'payment_reference',
] as const;

export type ReturnUrlPlaceholder = (typeof returnUrlPlaceholders)[number];

export type PlaceholderValues = Partial<Record<ReturnUrlPlaceholder, string | undefined>>;

const pattern = /(?:\{|%7B)klarna\.payment_request\.([a-z_]+)(?:\}|%7D)/gi;

export function substituteReturnUrl(template: string, values: PlaceholderValues): string {
  return template.replace(pattern, (whole, rawName: string) => {
    const name = rawName.toLowerCase() as ReturnUrlPlaceholder;
    if (!(returnUrlPlaceholders as readonly string[]).includes(name)) return whole;
    const value = name === 'payment_reference' ? values.payment_reference ?? values.payment_request_reference : values[name];
    return encodeURIComponent(value ?? '');
  });
}

/** True when the URL is an absolute http(s) URL once its placeholders are filled in. */
export function isValidReturnUrl(template: string, schemes: readonly string[] = ['http:', 'https:']): boolean {
  try {
    const url = new URL(substituteReturnUrl(template, Object.fromEntries(returnUrlPlaceholders.map((p) => [p, 'x']))));
    return schemes.includes(url.protocol);
  } catch {
    return false;
  }
}
