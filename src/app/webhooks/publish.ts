/**
 * Publishing a webhook event: the one helper every feature calls (payment requests, payment
 * transactions, disputes, …). Inside the caller's unit of work it writes one outbox row per
 * matching, ENABLED subscription of the account, so the event commits atomically with the state
 * change that caused it and is delivered at least once by the outbox dispatcher afterwards
 * (src/outbox/dispatcher.ts, retry-policy.ts).
 *
 * Each row carries its final bytes: the v2 envelope (src/domain/webhooks/envelope.ts) with that
 * subscription's `webhook_id`, signed with the subscription's signing key. The `event_id` is one
 * per event (the same for every subscription and every attempt), so receivers can dedupe on it.
 *
 *   await publishEvent(uow, 'payment.transaction.state-change.authorized', { payment_transaction_id, … });
 */
import { buildEnvelope } from '../../domain/webhooks/envelope.js';
import { matchesEventType, type WebhookEventType } from '../../domain/webhooks/event-types.js';
import { invariant } from '../../domain/invariant.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import type { Webhook } from '../../domain/webhooks/notification-config.js';
import { ids } from '../ids.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { loadNotificationConfig } from './notification-config-repo.js';
import { signBody, signatureHeader, signingKeyIdHeader } from './signature.js';

export const webhookOutboxKind = 'webhook';

export interface PublishOptions {
  /** Send only to this subscription, whatever its event types and status (simulate, replay). */
  onlyWebhookId?: string;
  /** Reuse an event id (a manual replay sends the same event again). */
  eventId?: string;
  /** The event's time; defaults to the unit of work's account-clock now. */
  occurredAt?: number;
}

export interface Published {
  eventId: string;
  /** Outbox row ids (delivery ids), one per subscription the event went to. */
  deliveryIds: string[];
}

export async function publishEvent(uow: UnitOfWork, eventType: WebhookEventType, payload: JsonObject, options: PublishOptions = {}): Promise<Published> {
  const config = await loadNotificationConfig(uow);
  const eventId = options.eventId ?? ids.event(uow.ctx.random);
  const targets = options.onlyWebhookId
    ? config.webhooks.filter((w) => w.webhook_id === options.onlyWebhookId)
    : config.webhooks.filter((w) => w.status === 'ENABLED' && w.event_types.some((p) => matchesEventType(p, eventType)));
  const deliveryIds: string[] = [];
  for (const webhook of targets) {
    deliveryIds.push(enqueueDelivery(uow, webhook, config.signing_keys.find((k) => k.signing_key_id === webhook.signing_key_id)?.secret, {
      eventType,
      eventId,
      payload,
      occurredAt: options.occurredAt ?? uow.now,
    }));
  }
  return { eventId, deliveryIds };
}

function enqueueDelivery(uow: UnitOfWork, webhook: Webhook, secret: string | undefined, event: { eventType: string; eventId: string; payload: JsonObject; occurredAt: number }): string {
  const envelope = buildEnvelope({
    eventType: event.eventType,
    eventId: event.eventId,
    occurredAt: event.occurredAt,
    correlationId: uow.ctx.correlationId,
    accountId: uow.accountId,
    webhookId: webhook.webhook_id,
    payload: event.payload,
  });
  return enqueueSigned(uow, webhook, secret, event.eventType, event.eventId, JSON.stringify(envelope));
}

/** One outbox row: the body's final bytes and their signature, fixed for every attempt. */
function enqueueSigned(uow: UnitOfWork, webhook: Webhook, secret: string | undefined, eventType: string, eventId: string, body: string): string {
  invariant(secret !== undefined, `webhook ${webhook.webhook_id} names signing key ${webhook.signing_key_id}, which must exist`);
  return uow.enqueue({
    kind: webhookOutboxKind,
    eventId,
    eventType,
    url: webhook.url,
    headers: { [signingKeyIdHeader]: webhook.signing_key_id, [signatureHeader]: signBody(secret, body), 'User-Agent': 'Kassa-Webhooks/1' },
    body,
    ref: webhook.webhook_id,
  });
}

/**
 * Sends an event to one subscription again as a new delivery: the same body, hence the same
 * `event_id` and `occurred_at`, re-signed with the subscription's current key (it may have been
 * rotated since) and sent to its current URL. Used by the manual replay endpoint.
 */
export async function republish(uow: UnitOfWork, webhook: Webhook, original: { body: string; eventType: string; eventId: string }): Promise<string> {
  const config = await loadNotificationConfig(uow);
  const secret = config.signing_keys.find((k) => k.signing_key_id === webhook.signing_key_id)?.secret;
  return enqueueSigned(uow, webhook, secret, original.eventType, original.eventId, original.body);
}
