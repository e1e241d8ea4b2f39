/**
 * Generated blocks of docs/payment-requests.md and docs/webhooks.md (registered in
 * generated-blocks.ts): the payment request machine as Mermaid and as a table (from its transition
 * table), the webhook event types (from event-types.ts), the retry schedule (from
 * retry-policy.ts) and the order status -> payment transaction state projection
 * (payment-transaction-state.ts). `npm run docs` rewrites them; the docs test fails when they are
 * stale.
 */
import { toMermaid } from '../domain/machine.js';
import { limits } from '../domain/limits.js';
import { eventTypeFor, paymentRequestMachine, stateReasonFor } from '../domain/payment-request/payment-request-machine.js';
import { eventTypeSources, webhookEventTypes } from '../domain/webhooks/event-types.js';
import { paymentTransactionStateOf } from '../domain/order/payment-transaction-state.js';
import { retryBaseMs, retryCapMs } from '../outbox/retry-policy.js';

const triggers: Record<string, string> = {
  update: 'partner: `PATCH …/payment/requests/{id}`',
  enter: 'customer opens `payment_request_url` (journey `enter`)',
  approve: 'customer approves in the journey',
  abort: 'customer cancels in the journey (`abort`)',
  decline: 'journey `decline` (Klarna declines)',
  cancel: 'partner: `DELETE …/payment/requests/{id}`',
  expire: 'deadline passes on the account clock (timer)',
};

function duration(ms: number): string {
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3600_000) return `${ms / 60_000} min`;
  return `${ms / 3600_000} h`;
}

function retrySchedule(): string {
  const rows = ['| Attempt | Wait after the previous attempt (with jitter) |', '|---|---|', '| 1 | none: as soon as the event is committed |'];
  for (let n = 1; ; n++) {
    const wait = Math.min(retryBaseMs * 2 ** (n - 1), retryCapMs);
    if (n > 9) {
      rows.push(`| ${n + 1} and later | ${duration(retryCapMs / 2)} – ${duration(retryCapMs)} each |`);
      break;
    }
    rows.push(`| ${n + 1} | ${duration(wait / 2)} – ${duration(wait)} |`);
  }
  rows.push('', `Attempts stop once the next one would fall more than ${duration(limits.webhookRetryWindowMs)} after the event was created; the delivery is then \`FAILED\`.`);
  return rows.join('\n');
}

export const v2Blocks: Record<string, () => string> = {
  'payment-request-machine': () => ['```mermaid', toMermaid(paymentRequestMachine).trimEnd(), '```'].join('\n'),
  'payment-request-transitions': () =>
    [
      '| From | Event | Guard | To | `state_reason` | Webhook | Triggered by |',
      '|---|---|---|---|---|---|---|',
      ...paymentRequestMachine.transitions.map(
        (t) => `| ${t.from} | \`${t.event}\` | ${t.guard ?? ''} | ${t.to} | \`${stateReasonFor(t.event, t.to)}\` | \`${eventTypeFor(t.event, t.to)}\` | ${triggers[t.event]} |`,
      ),
    ].join('\n'),
  'webhook-event-types': () => ['| Event type | Emitted when |', '|---|---|', ...webhookEventTypes.map((t) => `| \`${t}\` | ${eventTypeSources[t]} |`)].join('\n'),
  'webhook-retry-schedule': retrySchedule,
  'payment-transaction-states': () =>
    [
      '| Order status (Order Management) | Transaction state (v2) |',
      '|---|---|',
      ...Object.entries(paymentTransactionStateOf).map(([status, state]) => `| \`${status}\` | \`${state}\` |`),
    ].join('\n'),
};
