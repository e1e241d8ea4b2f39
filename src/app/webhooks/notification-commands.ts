/**
 * Signing keys and webhook subscriptions (Klarna Notifications API, reference §4), as commands on
 * the account's notification configuration (one aggregate; see notification-config.ts). The
 * signing key's secret is random (32 bytes, base64url) and returned only by the create call.
 */
import { orThrow } from '../../domain/errors.js';
import type { OutboundPolicy } from '../../domain/outbound/outbound-url.js';
import {
  addSigningKey,
  addWebhook,
  removeSigningKey,
  removeWebhook,
  updateWebhook,
  type SigningKey,
  type Webhook,
  type WebhookFields,
} from '../../domain/webhooks/notification-config.js';
import { notificationConfigId, notificationConfigType } from '../../domain/webhooks/notification-config.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { loadNotificationConfig, saveNotificationConfig } from './notification-config-repo.js';

export async function createSigningKey(uow: UnitOfWork): Promise<SigningKey> {
  const config = await loadNotificationConfig(uow);
  const key: SigningKey = { signing_key_id: uow.ctx.random.uuid(), secret: uow.ctx.random.token(32), created_at: new Date(uow.now).toISOString() };
  saveNotificationConfig(uow, orThrow(addSigningKey(config, key)));
  uow.event(notificationConfigType, notificationConfigId, 'signing_key.created', { signing_key_id: key.signing_key_id });
  return key;
}

export async function deleteSigningKey(uow: UnitOfWork, signingKeyId: string): Promise<void> {
  const config = await loadNotificationConfig(uow);
  saveNotificationConfig(uow, orThrow(removeSigningKey(config, signingKeyId)));
  uow.event(notificationConfigType, notificationConfigId, 'signing_key.deleted', { signing_key_id: signingKeyId });
}

export async function createWebhook(uow: UnitOfWork, fields: WebhookFields & { url: string; event_types: string[]; signing_key_id: string }, policy: OutboundPolicy): Promise<Webhook> {
  const config = await loadNotificationConfig(uow);
  const result = orThrow(addWebhook(config, { webhookId: uow.ctx.random.uuid(), now: uow.now, policy, fields }));
  saveNotificationConfig(uow, result.config);
  uow.event(notificationConfigType, notificationConfigId, 'webhook.created', { webhook_id: result.webhook.webhook_id, url: result.webhook.url, event_types: result.webhook.event_types });
  return result.webhook;
}

export async function changeWebhook(uow: UnitOfWork, webhookId: string, fields: WebhookFields, policy: OutboundPolicy): Promise<Webhook> {
  const config = await loadNotificationConfig(uow);
  const result = orThrow(updateWebhook(config, { webhookId, now: uow.now, policy, fields }));
  saveNotificationConfig(uow, result.config);
  uow.event(notificationConfigType, notificationConfigId, 'webhook.updated', { webhook_id: webhookId, fields: Object.keys(fields) });
  return result.webhook;
}

export async function deleteWebhook(uow: UnitOfWork, webhookId: string): Promise<void> {
  const config = await loadNotificationConfig(uow);
  saveNotificationConfig(uow, orThrow(removeWebhook(config, webhookId)));
  uow.event(notificationConfigType, notificationConfigId, 'webhook.deleted', { webhook_id: webhookId });
}

export function webhookView(w: Webhook): Webhook {
  return { ...w };
}

export function signingKeyView(k: SigningKey, withSecret: boolean): Record<string, string> {
  return withSecret ? { signing_key_id: k.signing_key_id, signing_key: k.secret, created_at: k.created_at } : { signing_key_id: k.signing_key_id, created_at: k.created_at };
}
