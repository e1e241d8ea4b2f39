/**
 * HTML fragments for the dashboard's requests log (docs/dashboard.md): the list of an account's
 * last API requests and one request's detail with its (already redacted) bodies pretty-printed.
 * Pure functions of the entries: no layout, no authentication, no store — the dashboard's pages
 * put these inside their layout. Every value from an entry is escaped: paths, bodies and
 * idempotency keys are whatever a client sent.
 *
 * Class names for the stylesheet: `list requests-log` (the table, in a `card`), `status status-2xx|3xx|4xx|5xx`,
 * `mono` (ids, paths), `request-detail`, `request-body`, `empty`, `pager`.
 */
import type { RequestLogRecord } from '../store/port.js';
import { time } from './format.js';
import { escapeHtml } from './html.js';

function statusBadge(status: number): string {
  const family = status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
  return `<span class="status status-${family}">${escapeHtml(String(status))}</span>`;
}

function detailHref(basePath: string, entry: RequestLogRecord): string {
  return `${basePath.replace(/\/+$/, '')}/${encodeURIComponent(entry.correlationId)}`;
}

/**
 * The requests table, newest first as given. Each row links to `${basePath}/${correlationId}`.
 * `nextBefore`, when the caller knows there are older entries, adds an "Older requests" link to
 * `${basePath}?before=<id>`.
 */
export function renderRequestList(entries: RequestLogRecord[], options: { basePath: string; nextBefore?: string }): string {
  if (entries.length === 0) {
    return '<p class="empty">No API requests yet. Requests made with this account\'s credentials appear here; the last 1,000 are kept.</p>';
  }
  const rows = entries
    .map(
      (e) => `    <tr>
      <td>${time(e.at, { milliseconds: true })}</td>
      <td>${escapeHtml(e.method)}</td>
      <td class="mono"><a href="${escapeHtml(detailHref(options.basePath, e))}">${escapeHtml(e.path)}</a></td>
      <td>${statusBadge(e.statusCode)}</td>
      <td>${escapeHtml(String(e.durationMs))} ms</td>
      <td class="mono">${escapeHtml(e.correlationId)}</td>
    </tr>`,
    )
    .join('\n');
  const pager =
    options.nextBefore === undefined
      ? ''
      : `\n<p class="pager"><a href="${escapeHtml(`${options.basePath.replace(/\/+$/, '')}?before=${encodeURIComponent(options.nextBefore)}`)}">Older requests</a></p>`;
  return `<section class="card"><div class="table-scroll"><table class="list requests-log">
  <caption class="visually-hidden">API requests, newest first (secrets and tokens redacted)</caption>
  <thead>
    <tr><th scope="col">Time</th><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Correlation id</th></tr>
  </thead>
  <tbody>
${rows}
  </tbody>
</table></div>${pager}</section>`;
}

/** A body as stored (redacted JSON, possibly cut short) pretty-printed when it parses, else as is. */
function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function bodySection(title: string, body: string | undefined): string {
  const content = body === undefined ? '<p class="empty">No body.</p>' : `<pre class="request-body"><code>${escapeHtml(prettyBody(body))}</code></pre>`;
  return `<section>
  <h3>${escapeHtml(title)}</h3>
  ${content}
</section>`;
}

/** One request: what it was, how it was answered, and both bodies (redacted when recorded). */
export function renderRequestDetail(entry: RequestLogRecord): string {
  const row = (term: string, value: string) => `  <div><dt>${escapeHtml(term)}</dt><dd>${value}</dd></div>`;
  return `<article class="request-detail card">
<h2><span class="mono">${escapeHtml(entry.method)} ${escapeHtml(entry.path)}</span></h2>
<dl class="kv">
${[
  row('Status', statusBadge(entry.statusCode)),
  row('Time', String(time(entry.at, { milliseconds: true }))),
  row('Duration', `${escapeHtml(String(entry.durationMs))} ms`),
  row('Route', `<span class="mono">${escapeHtml(entry.route)}</span>`),
  row('Correlation id', `<span class="mono">${escapeHtml(entry.correlationId)}</span>`),
  row('Idempotency key', entry.idempotencyKey === undefined ? 'none' : `<span class="mono">${escapeHtml(entry.idempotencyKey)}</span>`),
].join('\n')}
</dl>
${bodySection('Request body', entry.requestBody)}
${bodySection('Response body', entry.responseBody)}
</article>`;
}
