/**
 * An object's timeline: every event of its event log in order, each with the webhook deliveries
 * and merchant notifications it produced and how they went. The event log does not name the
 * outbox rows a command wrote, so they are matched the way they were written: a row belongs to
 * the object when it is addressed to it (`ref`, used by notifications) or its signed body names the
 * object's id (webhooks), and to the event committed at the same account-clock instant (one
 * command stamps its events and outbox rows with one `now`), else to the latest event before it.
 * Rows addressed to the object are found however old; the body search reads the account's newest
 * outbox rows only (bounded; see dashboardLimits).
 *
 * Orders also show their captures' settlement events (their own small aggregates).
 */
import { dashboardLimits } from '../domain/limits.js';
import type { OrderState } from '../domain/order/order-state.js';
import { settlementId, settlementType } from '../domain/settlement/settlement.js';
import type { EventRecord, OutboxRecord, RequestLogRecord, Store } from '../store/port.js';
import { badge, time } from './format.js';
import { html, type Html } from './html.js';

/** The event log record, with the correlation id of the command that wrote it (none before migration 004). */
export type TimelineEvent = EventRecord;

export interface TimelineEntry {
  event: TimelineEvent;
  deliveries: OutboxRecord[];
  /** The API request that caused the event, when the requests log still has it. */
  request?: RequestLogRecord;
}

/** Finds an account's logged request by correlation id (the requests log, src/http/request-log.ts). */
export type RequestLookup = (correlationId: string) => Promise<RequestLogRecord | undefined>;

export async function timelineOf(store: Store, accountId: string, type: string, id: string, state: unknown, findRequest?: RequestLookup): Promise<TimelineEntry[]> {
  const events: TimelineEvent[] = [...(await store.listEvents(accountId, type, id))];
  if (type === 'order') {
    for (const capture of (state as OrderState).captures ?? []) events.push(...(await store.listEvents(accountId, settlementType, settlementId(id, capture.capture_id))));
    events.sort((a, b) => a.seq - b.seq);
  }
  // Rows addressed to the object are found by their ref however old; webhooks (addressed to their
  // subscription) by a bounded scan of the newest rows for the object's id in the signed body.
  const needle = JSON.stringify(id).slice(1, -1);
  const byRef = await store.listOutbox(accountId, { ref: id }, { limit: dashboardLimits.timelineOutboxScanMax, newestFirst: true });
  const scanned = (await store.listOutbox(accountId, {}, { limit: dashboardLimits.timelineOutboxScanMax, newestFirst: true })).filter((r) => r.ref !== id && r.body.includes(needle));
  const rows = [...byRef, ...scanned].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const entries: TimelineEntry[] = events.map((event) => ({ event, deliveries: [] }));
  for (const row of rows) {
    let owner: TimelineEntry | undefined;
    for (const entry of entries) {
      if (entry.event.occurredAt <= row.createdAt) owner = entry;
      else break;
    }
    const exact = entries.filter((e) => e.event.occurredAt === row.createdAt).at(-1);
    (exact ?? owner)?.deliveries.push(row);
  }
  // One look-up per distinct request: a command's events share its correlation id.
  if (findRequest) {
    const requests = new Map<string, Promise<RequestLogRecord | undefined>>();
    for (const entry of entries) {
      const correlationId = entry.event.correlationId;
      if (!correlationId) continue;
      if (!requests.has(correlationId)) requests.set(correlationId, findRequest(correlationId));
      entry.request = await requests.get(correlationId);
    }
  }
  return entries;
}

const statusWord = (row: OutboxRecord) => (row.status === 'delivered' ? 'DELIVERED' : row.status === 'failed' ? 'FAILED' : 'PENDING');

/** Event data worth a glance, as "key: value" pairs (long or nested values summarised). */
function dataSummary(data: unknown): Html {
  if (!data || typeof data !== 'object') return html``;
  const pairs = Object.entries(data as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
  if (!pairs.length) return html``;
  return html`<dl class="kv kv-inline">${pairs.map(([k, v]) => html`<div><dt>${k}</dt><dd>${typeof v === 'object' ? JSON.stringify(v).slice(0, 120) : String(v)}</dd></div>`)}</dl>`;
}

export function renderTimeline(entries: TimelineEntry[]): Html {
  if (!entries.length) return html`<p class="muted">No events yet.</p>`;
  return html`<ol class="timeline">
    ${entries.map(
      ({ event, deliveries, request }) => html`<li class="tl-item">
        <div class="tl-head"><code class="tl-type">${event.type}</code> ${time(event.occurredAt)}</div>
        ${dataSummary(event.data)}
        ${
          // Events carry the correlation id of the command that wrote them: an API request's (shown
          // with its method and path, linked to the requests log), or a timer's or follow-up's own.
          request
            ? html`<p class="tl-cause">caused by <a href="/dashboard/requests/${encodeURIComponent(request.correlationId)}"><code>${request.method} ${request.route}</code></a> <span class="muted">${request.statusCode}${request.idempotencyKey ? html` · idempotency key <code>${request.idempotencyKey}</code>` : ''} · request <code>${request.correlationId}</code></span></p>`
            : event.correlationId && html`<p class="tl-cause muted">by Kassa (a timer or follow-up step), correlation id <code>${event.correlationId}</code></p>`
        }
        ${
          deliveries.length > 0 &&
          html`<ul class="tl-deliveries" aria-label="Deliveries">
            ${deliveries.map(
              (d) => html`<li>${d.kind === 'webhook' ? 'Webhook' : 'Notification'} <code>${d.eventType}</code> to <span class="url">${d.url}</span> ${badge(statusWord(d))}
                <span class="muted">${d.attempts} attempt${d.attempts === 1 ? '' : 's'}</span>
                <a href="/dashboard/deliveries/${encodeURIComponent(d.id)}">Details<span class="visually-hidden"> of delivery ${d.id}</span></a></li>`,
            )}
          </ul>`
        }
      </li>`,
    )}
  </ol>`;
}
