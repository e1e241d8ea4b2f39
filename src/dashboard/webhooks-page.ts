/**
 * Webhooks: the account's subscriptions, its signing keys (ids and dates only: a key's secret is
 * shown once, by the API call that creates it, never here), the delivery log newest first, and one
 * delivery's page with every attempt (status code or error, latency), the exact signed body and
 * headers, and a replay button (the same command as the API's retry).
 */
import { deliveryStatus } from '../app/webhooks/deliveries.js';
import type { NotificationConfig } from '../domain/webhooks/notification-config.js';
import type { DeliveryAttempt, OutboxRecord } from '../store/port.js';
import { badge, time } from './format.js';
import { html, type Html } from './html.js';
import { csrfField, type PageContext } from './layout.js';

function deliveryRows(rows: OutboxRecord[]): Html {
  if (!rows.length) return html`<p class="empty">No deliveries yet.</p>`;
  return html`<div class="table-scroll"><table class="list"><thead><tr><th scope="col">Delivery</th><th scope="col">Event</th><th scope="col">To</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Created</th></tr></thead><tbody>
    ${rows.map(
      (r) => html`<tr><td><a href="/dashboard/deliveries/${encodeURIComponent(r.id)}"><code>${r.id}</code></a></td><td><code>${r.eventType}</code><br><span class="muted">${r.kind}</span></td><td class="url">${r.url}</td><td>${badge(deliveryStatus(r))}</td><td class="num">${r.attempts}</td><td>${time(r.createdAt)}</td></tr>`,
    )}
  </tbody></table></div>`;
}

export function renderWebhooks(config: NotificationConfig, deliveries: OutboxRecord[]): Html {
  return html`<h1>Webhooks</h1>
  <section class="card" aria-labelledby="subs-h"><h2 id="subs-h">Subscriptions</h2>
    ${
      config.webhooks.length
        ? html`<div class="table-scroll"><table class="list"><thead><tr><th scope="col">Webhook</th><th scope="col">URL</th><th scope="col">Event types</th><th scope="col">Signing key</th><th scope="col">Status</th></tr></thead><tbody>
        ${config.webhooks.map((w) => html`<tr><td><code>${w.webhook_id}</code></td><td class="url">${w.url}</td><td>${w.event_types.map((e) => html`<code>${e}</code> `)}</td><td><code>${w.signing_key_id}</code></td><td>${badge(w.status)}</td></tr>`)}
        </tbody></table></div>`
        : html`<p class="empty">No webhooks. Subscribe with <code>POST /v2/notification/webhooks</code>.</p>`
    }
  </section>
  <section class="card" aria-labelledby="keys-h"><h2 id="keys-h">Signing keys</h2>
    <p class="muted">A key's secret is shown once, in the answer to <code>POST /v2/notification/signing-keys</code>; never again.</p>
    ${
      config.signing_keys.length
        ? html`<ul class="plain">${config.signing_keys.map((k) => html`<li><code>${k.signing_key_id}</code> <span class="muted">created ${time(k.created_at)}</span></li>`)}</ul>`
        : html`<p class="empty">No signing keys.</p>`
    }
  </section>
  <section class="card" aria-labelledby="log-h" data-live-section="deliveries"><h2 id="log-h">Delivery log</h2>
    <p class="muted">Webhooks and merchant notifications, newest first.</p>
    ${deliveryRows(deliveries)}
  </section>`;
}

export function renderDelivery(ctx: PageContext, row: OutboxRecord, attempts: DeliveryAttempt[], formKey: string): Html {
  const status = deliveryStatus(row);
  const canReplay = row.kind === 'webhook' && status !== 'PENDING';
  return html`<p class="crumbs"><a href="/dashboard/webhooks">Webhooks</a></p>
  <div data-live-section="delivery">
  <h1>Delivery <code class="object-id">${row.id}</code></h1>
  <p class="headline">${badge(status)} <code>${row.eventType}</code> to <span class="url">${row.url}</span></p>
  ${
    canReplay &&
    html`<form method="post" action="/dashboard/deliveries/${encodeURIComponent(row.id)}/replay" class="action">${csrfField(ctx)}<input type="hidden" name="_key" value="${formKey}"><button type="submit" class="primary">Replay delivery</button>
    <p class="hint">Sends the same event (same event id and body) again as a new delivery, signed with the webhook's current key.</p></form>`
  }
  ${status === 'PENDING' && html`<p class="muted">Pending: retried automatically${row.attempts ? html`; next attempt ${time(row.nextAttemptAt)}` : ''}.</p>`}
  <section class="card" aria-labelledby="attempts-h"><h2 id="attempts-h">Attempts</h2>
    ${
      attempts.length
        ? html`<div class="table-scroll"><table class="list"><thead><tr><th scope="col">#</th><th scope="col">At</th><th scope="col">Status code</th><th scope="col" class="num">Latency</th><th scope="col">Error</th></tr></thead><tbody>
        ${attempts.map((a) => html`<tr><td>${a.attempt}</td><td>${time(a.at)}</td><td>${a.statusCode === null ? '—' : html`<span class="state state-${a.statusCode >= 200 && a.statusCode < 300 ? 'good' : 'bad'}">${a.statusCode}</span>`}</td><td class="num">${a.latencyMs} ms</td><td>${a.error ?? ''}</td></tr>`)}
        </tbody></table></div>`
        : html`<p class="empty">Not attempted yet.</p>`
    }
  </section>
  <section class="card" aria-labelledby="body-h"><h2 id="body-h">Signed request</h2>
    <h3>Headers</h3>
    <pre class="code">${Object.entries(row.headers).map(([k, v]) => `${k}: ${v}\n`).join('')}</pre>
    <h3>Body</h3>
    <pre class="code wrap">${row.body}</pre>
    <p class="hint">Exactly the bytes that were signed and sent.</p>
  </section>
  </div>`;
}
