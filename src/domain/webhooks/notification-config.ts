/**
 * An account's notification configuration: its signing keys and webhook subscriptions, kept as ONE
 * aggregate per account. One document makes the limits (50 signing keys, 100 webhooks) and the
 * rule "a key used by a webhook cannot be deleted" hold under concurrent requests (optimistic
 * version check), and lets every command that publishes an event read all subscriptions with one
 * load. Pure decisions; ids, secrets and time come in as arguments.
 */
import { reject, type Rejection } from '../errors.js';
import { limits } from '../limits.js';
import { isValidPattern } from './event-types.js';
import type { OutboundPolicy } from '../outbound/outbound-url.js';
import { checkWebhookUrl } from './webhook-url.js';

export const notificationConfigType = 'notification_config';
export const notificationConfigId = 'config';

export interface SigningKey {
  signing_key_id: string;
  /** The HMAC secret. Returned once, by the create call; stored because every delivery is signed with it. */
  secret: string;
  created_at: string;
}

export type WebhookStatus = 'ENABLED' | 'DISABLED';

export interface Webhook {
  webhook_id: string;
  url: string;
  event_types: string[];
  event_version: 'v2';
  signing_key_id: string;
  status: WebhookStatus;
  created_at: string;
  updated_at: string;
}

export interface NotificationConfig {
  signing_keys: SigningKey[];
  webhooks: Webhook[];
}

export const emptyNotificationConfig = (): NotificationConfig => ({ signing_keys: [], webhooks: [] });

export function addSigningKey(config: NotificationConfig, key: SigningKey): NotificationConfig | Rejection {
  if (config.signing_keys.length >= limits.signingKeysPerAccountMax) {
    return reject('LIMIT_EXCEEDED', `An account has at most ${limits.signingKeysPerAccountMax} signing keys; delete one first`);
  }
  return { ...config, signing_keys: [...config.signing_keys, key] };
}

export function removeSigningKey(config: NotificationConfig, signingKeyId: string): NotificationConfig | Rejection {
  if (!config.signing_keys.some((k) => k.signing_key_id === signingKeyId)) return reject('NOT_FOUND', 'Signing key not found');
  const users = config.webhooks.filter((w) => w.signing_key_id === signingKeyId).map((w) => w.webhook_id);
  if (users.length) return reject('RESOURCE_IN_USE', `Signing key is used by webhook ${users.join(', ')}; point those webhooks at another key first`);
  return { ...config, signing_keys: config.signing_keys.filter((k) => k.signing_key_id !== signingKeyId) };
}

export interface WebhookFields {
  url?: string;
  event_types?: string[];
  event_version?: string;
  signing_key_id?: string;
  status?: WebhookStatus;
}

/** Checks the fields a create or update sets, in a fixed order so the same input gets the same code. */
function checkFields(config: NotificationConfig, fields: WebhookFields, policy: OutboundPolicy): true | Rejection {
  if (fields.url !== undefined) {
    const ok = checkWebhookUrl(fields.url, policy);
    if (ok !== true) return ok;
  }
  if (fields.event_types !== undefined) {
    if (fields.event_types.length === 0) return reject('BAD_VALUE', 'Bad value: event_types (at least one event type)');
    const seen = new Set<string>();
    for (const [i, pattern] of fields.event_types.entries()) {
      if (!isValidPattern(pattern)) return reject('BAD_VALUE', `Bad value: event_types[${i}] (unknown event type ${JSON.stringify(pattern)})`);
      if (seen.has(pattern)) return reject('BAD_VALUE', `Bad value: event_types[${i}] (duplicate)`);
      seen.add(pattern);
    }
  }
  if (fields.event_version !== undefined && fields.event_version !== 'v2') return reject('BAD_VALUE', 'Bad value: event_version (only v2 is supported)');
  if (fields.signing_key_id !== undefined && !config.signing_keys.some((k) => k.signing_key_id === fields.signing_key_id)) {
    return reject('BAD_VALUE', 'Bad value: signing_key_id (no such signing key)');
  }
  return true;
}

export function addWebhook(
  config: NotificationConfig,
  input: { webhookId: string; now: number; policy: OutboundPolicy; fields: Required<Pick<WebhookFields, 'url' | 'event_types' | 'signing_key_id'>> & WebhookFields },
): { config: NotificationConfig; webhook: Webhook } | Rejection {
  const ok = checkFields(config, input.fields, input.policy);
  if (ok !== true) return ok;
  if (config.webhooks.length >= limits.webhooksPerAccountMax) return reject('LIMIT_EXCEEDED', `An account has at most ${limits.webhooksPerAccountMax} webhooks`);
  const at = new Date(input.now).toISOString();
  const webhook: Webhook = {
    webhook_id: input.webhookId,
    url: input.fields.url,
    event_types: input.fields.event_types,
    event_version: 'v2',
    signing_key_id: input.fields.signing_key_id,
    status: input.fields.status ?? 'ENABLED',
    created_at: at,
    updated_at: at,
  };
  return { config: { ...config, webhooks: [...config.webhooks, webhook] }, webhook };
}

export function updateWebhook(
  config: NotificationConfig,
  input: { webhookId: string; now: number; policy: OutboundPolicy; fields: WebhookFields },
): { config: NotificationConfig; webhook: Webhook } | Rejection {
  const current = config.webhooks.find((w) => w.webhook_id === input.webhookId);
  if (!current) return reject('NOT_FOUND', 'Webhook not found');
  const ok = checkFields(config, input.fields, input.policy);
  if (ok !== true) return ok;
  const f = input.fields;
  const webhook: Webhook = {
    ...current,
    url: f.url ?? current.url,
    event_types: f.event_types ?? current.event_types,
    signing_key_id: f.signing_key_id ?? current.signing_key_id,
    status: f.status ?? current.status,
    updated_at: new Date(input.now).toISOString(),
  };
  return { config: { ...config, webhooks: config.webhooks.map((w) => (w.webhook_id === webhook.webhook_id ? webhook : w)) }, webhook };
}

export function removeWebhook(config: NotificationConfig, webhookId: string): NotificationConfig | Rejection {
  if (!config.webhooks.some((w) => w.webhook_id === webhookId)) return reject('NOT_FOUND', 'Webhook not found');
  return { ...config, webhooks: config.webhooks.filter((w) => w.webhook_id !== webhookId) };
}
