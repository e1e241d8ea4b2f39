/**
 * HTML for the dashboard, written as tagged templates that escape by default: every interpolated
 * value is escaped unless it is already `Html` (the result of another `html` template or of
 * `raw`, which only this folder's renderers use for markup they built). Arrays are joined, and
 * `undefined`, `null` and `false` render nothing, so conditionals read naturally:
 *
 *   html`<li class="${cls}">${name}${admin && html` <b>admin</b>`}</li>`
 */

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]!);
}

function render(part: Part): string {
  if (part === undefined || part === null || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Markup that is already safe (built here, never from input). */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** A query string from the non-empty values, for links. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
