/**
 * The list of one kind of object: newest first, a page at a time, filtered by state and searched
 * by id, reference or customer email. The store pages newest first (listRecentAggregates); the
 * filter and search run in memory over those pages, reading at most `listScanMax` objects for one
 * page of results, so a search that matches nothing costs a bounded read. An exact id is looked up
 * directly, however old the object.
 */
import { dashboardLimits } from '../domain/limits.js';
import type { AggregateRecord, Store } from '../store/port.js';
import { badge, money, time } from './format.js';
import { html, query, type Html } from './html.js';
import { objectLink, type ObjectKind } from './object-kinds.js';

export interface ListQuery {
  state?: string;
  q?: string;
  /** Cursor: "<created_at>.<id>" of the last row of the previous page. */
  before?: string;
}

export interface ListResult {
  rows: AggregateRecord[];
  /** Cursor of the next page, when there may be one. */
  next?: string;
  /** The scan stopped at listScanMax objects before filling the page. */
  scanCapped: boolean;
}

function parseCursor(cursor: string | undefined): { createdAt: number; id: string } | undefined {
  if (!cursor) return undefined;
  const at = cursor.indexOf('.');
  const createdAt = Number(cursor.slice(0, at));
  if (at <= 0 || !Number.isSafeInteger(createdAt)) return undefined;
  return { createdAt, id: cursor.slice(at + 1) };
}

const cursorOf = (r: AggregateRecord) => `${r.createdAt}.${r.id}`;

export function matches(kind: ObjectKind, record: AggregateRecord, q: ListQuery): boolean {
  if (q.state && kind.state(record.state) !== q.state) return false;
  const needle = q.q?.trim().toLowerCase();
  if (!needle) return true;
  const haystack = [record.id, ...kind.references(record.state), ...kind.emails(record.state)];
  return haystack.some((v) => v.toLowerCase().includes(needle));
}

export async function listObjects(store: Store, accountId: string, kind: ObjectKind, q: ListQuery): Promise<ListResult> {
  const pageSize = dashboardLimits.pageSize;
  const needle = q.q?.trim();
  if (needle && !q.before) {
    const exact = await store.getAggregate(accountId, kind.type, needle);
    if (exact && matches(kind, exact, { state: q.state })) return { rows: [exact], scanCapped: false };
  }
  const rows: AggregateRecord[] = [];
  let before = parseCursor(q.before);
  let scanned = 0;
  for (;;) {
    const batch = await store.listRecentAggregates(accountId, kind.type, { limit: q.state || needle ? dashboardLimits.listScanBatch : pageSize + 1, before });
    for (const record of batch) {
      scanned++;
      if (!matches(kind, record, q)) continue;
      if (rows.length === pageSize) return { rows, next: cursorOf(rows.at(-1)!), scanCapped: false };
      rows.push(record);
    }
    const last = batch.at(-1);
    if (!last || batch.length < (q.state || needle ? dashboardLimits.listScanBatch : pageSize + 1)) return { rows, scanCapped: false };
    before = { createdAt: last.createdAt, id: last.id };
    if (scanned >= dashboardLimits.listScanMax) return { rows, next: cursorOf(last), scanCapped: true };
  }
}

export function renderList(kind: ObjectKind, q: ListQuery, result: ListResult): Html {
  const states = kind.machine.states;
  const filters = html`<form class="filters" method="get" action="/dashboard/${kind.slug}" role="search">
    <div class="field"><label for="q">Search</label><input type="search" id="q" name="q" value="${q.q ?? ''}" placeholder="Id, reference or customer email" autocomplete="off"></div>
    <div class="field"><label for="state">State</label><select id="state" name="state">
      <option value="">Any state</option>
      ${states.map((s) => html`<option value="${s}"${q.state === s ? ' selected' : ''}>${s}</option>`)}
    </select></div>
    <button type="submit">Apply</button>
    ${(q.q || q.state) && html`<a class="clear" href="/dashboard/${kind.slug}">Clear</a>`}
  </form>`;
  const table = result.rows.length
    ? html`<div class="table-scroll"><table class="list">
        <caption class="visually-hidden">${kind.title}, newest first</caption>
        <thead><tr><th scope="col">Id</th><th scope="col">State</th><th scope="col" class="num">Amount</th><th scope="col">Reference</th><th scope="col">Customer</th><th scope="col">Created</th></tr></thead>
        <tbody>
        ${result.rows.map((r) => {
          const amount = kind.amount(r.state);
          return html`<tr>
            <td><a href="${objectLink(kind, r.id)}"><code>${r.id}</code></a></td>
            <td>${badge(kind.state(r.state))}</td>
            <td class="num">${amount ? money(amount.amount, amount.currency) : '—'}</td>
            <td>${kind.references(r.state)[0] ?? ''}</td>
            <td>${kind.emails(r.state)[0] ?? ''}</td>
            <td>${time(r.createdAt)}</td>
          </tr>`;
        })}
        </tbody>
      </table></div>`
    : html`<p class="empty">No ${kind.title.toLowerCase()}${q.q || q.state ? ' match' : ' yet'}.</p>`;
  const pager = html`<nav class="pager" aria-label="Pages">
    ${q.before && html`<a href="/dashboard/${kind.slug}${query({ q: q.q, state: q.state })}">Newest</a>`}
    ${result.next && html`<a href="/dashboard/${kind.slug}${query({ q: q.q, state: q.state, before: result.next })}" rel="next">Older</a>`}
    ${result.scanCapped && html`<span class="muted">Searched the newest ${dashboardLimits.listScanMax} objects on this page; “Older” searches on.</span>`}
  </nav>`;
  return html`<h1>${kind.title}</h1>${filters}${table}${pager}`;
}
