/**
 * The delivery log, read over the API: every outbox row of a subscription is one delivery of one
 * event (its `delivery_id`), with its status (PENDING, DELIVERED, FAILED), the number of attempts,
 * when the next one is due (account clock), and — in the detailed view — every attempt with its
 * HTTP status or error and latency, plus the exact body that was signed and sent.
 */
import type { DeliveryAttempt, OutboxRecord } from '../../store/port.js';

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export function deliveryStatus(row: OutboxRecord): DeliveryStatus {
  return row.status === 'delivered' ? 'DELIVERED' : row.status === 'failed' ? 'FAILED' : 'PENDING';
}

export function deliveryView(row: OutboxRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {
    delivery_id: row.id,
    webhook_id: row.ref,
    event_id: row.eventId,
    event_type: row.eventType,
    url: row.url,
    status: deliveryStatus(row),
    attempt_count: row.attempts,
    created_at: new Date(row.createdAt).toISOString(),
  };
  if (row.status === 'pending') view.next_attempt_at = new Date(row.nextAttemptAt).toISOString();
  return view;
}

export function attemptView(a: DeliveryAttempt): Record<string, unknown> {
  return {
    attempt: a.attempt,
    attempted_at: new Date(a.at).toISOString(),
    status_code: a.statusCode,
    error: a.error,
    latency_ms: a.latencyMs,
  };
}

export function deliveryDetailView(row: OutboxRecord, attempts: DeliveryAttempt[]): Record<string, unknown> {
  return { ...deliveryView(row), attempts: attempts.map(attemptView), request_body: row.body };
}
