/**
 * The dashboard's home: who is signed in, the account clock, the newest orders, and where to go.
 * The operations panel shows the few metrics that matter, from the figures GET /metrics serves.
 */
import type { AggregateRecord } from '../store/port.js';
import { badge, money, time } from './format.js';
import { html, type Html } from './html.js';
import type { PageContext } from './layout.js';
import { objectKinds, objectLink, type ObjectKind } from './object-kinds.js';

export interface HomeData {
  accountId: string;
  now: number;
  recent: { kind: ObjectKind; rows: AggregateRecord[] }[];
  /** The few figures of GET /metrics that matter (src/metrics/dashboard-summary.ts); this process's, all accounts. */
  metrics?: { label: string; value: string }[];
}

export function renderHome(ctx: PageContext, data: HomeData): Html {
  return html`<h1>Home</h1>
  <div class="grid-3">
    <section class="card stat" aria-labelledby="acct-h"><h2 id="acct-h">Account</h2><p><code class="wrap">${data.accountId}</code></p><p class="muted">${ctx.mode === 'sandbox' ? 'Sandbox: test helpers, personas and a test clock.' : 'Live mode.'}</p></section>
    <section class="card stat" aria-labelledby="clock-h"><h2 id="clock-h">Account time</h2><p class="clock-now">${time(data.now)}</p>${ctx.mode === 'sandbox' && html`<p><a href="/dashboard/clock">Test clock</a></p>`}</section>
    <section class="card stat" aria-labelledby="ops-h" id="operations"><h2 id="ops-h">Operations <span class="muted">(this Kassa process)</span></h2>
      ${
        data.metrics && data.metrics.length
          ? html`<dl class="kv">${data.metrics.map((m) => html`<div><dt>${m.label}</dt><dd>${m.value}</dd></div>`)}</dl>`
          : html`<p class="muted">Metrics are served at <code>GET /metrics</code>.</p>`
      }
    </section>
  </div>
  ${data.recent.map(
    ({ kind, rows }) => html`<section class="card" aria-labelledby="recent-${kind.slug}"><h2 id="recent-${kind.slug}">Newest ${kind.title.toLowerCase()}</h2>
      ${
        rows.length
          ? html`<ul class="recent">${rows.map((r) => {
              const amount = kind.amount(r.state);
              return html`<li><a href="${objectLink(kind, r.id)}"><code>${r.id}</code></a> ${badge(kind.state(r.state))} ${amount && html`<span class="amount">${money(amount.amount, amount.currency)}</span>`} <span class="muted">${time(r.createdAt)}</span></li>`;
            })}</ul>`
          : html`<p class="empty">None yet.</p>`
      }
      <p><a href="/dashboard/${kind.slug}">All ${kind.title.toLowerCase()}</a></p>
    </section>`,
  )}
  <p class="muted">Also: ${objectKinds.map((k, i) => html`${i ? ', ' : ''}<a href="/dashboard/${k.slug}">${k.title.toLowerCase()}</a>`)}.</p>`;
}
