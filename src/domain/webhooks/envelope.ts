/**
 * The v2 webhook envelope (reference §4): `{ metadata, payload }`. The metadata names the event
 * (`event_type`, `event_id` — the receiver's dedupe key, the same on every attempt —
 * `event_version`, `occurred_at`), the request that caused it (`correlation_id`), the accounts
 * (`subject_account_id`: the partner account the event is about; `recipient_account_id`: the
 * account receiving it — in Kassa both are the calling account), the product instance and the
 * subscription (`webhook_id`).
 */
import type { JsonObject } from '../order/order-state.js';

export interface EnvelopeInput {
  eventType: string;
  eventId: string;
  occurredAt: number;
  correlationId: string;
  accountId: string;
  webhookId: string;
  payload: JsonObject;
}

export interface Envelope {
  metadata: {
    event_type: string;
    event_id: string;
    event_version: 'v2';
    occurred_at: string;
    correlation_id: string;
    subject_account_id: string;
    recipient_account_id: string;
    product_instance_id: string;
    webhook_id: string;
  };
  payload: JsonObject;
}

/** The account's payment product instance KRN (one payment product per Kassa account). */
export function productInstanceId(accountId: string): string {
  const code = accountId.split(':').pop() ?? accountId;
  return `krn:partner:product:payment:${code.toLowerCase()}`;
}

export function buildEnvelope(input: EnvelopeInput): Envelope {
  return {
    metadata: {
      event_type: input.eventType,
      event_id: input.eventId,
      event_version: 'v2',
      occurred_at: new Date(input.occurredAt).toISOString(),
      correlation_id: input.correlationId,
      subject_account_id: input.accountId,
      recipient_account_id: input.accountId,
      product_instance_id: productInstanceId(input.accountId),
      webhook_id: input.webhookId,
    },
    payload: input.payload,
  };
}
