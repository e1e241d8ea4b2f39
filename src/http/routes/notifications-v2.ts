/**
 * The Klarna Notifications API (reference §4) plus Kassa's delivery log:
 *
 *   POST   /v2/notification/signing-keys                     create (the secret is in this answer only)
 *   GET    /v2/notification/signing-keys                     list (no secrets)
 *   GET    /v2/notification/signing-keys/{id}                read (no secret)
 *   DELETE /v2/notification/signing-keys/{id}                delete (refused while a webhook uses it)
 *   POST   /v2/notification/webhooks                         subscribe {url, event_types, event_version, signing_key_id, status}
 *   GET    /v2/notification/webhooks                         list
 *   GET    /v2/notification/webhooks/{id}                    read
 *   PATCH  /v2/notification/webhooks/{id}                    update
 *   DELETE /v2/notification/webhooks/{id}                    unsubscribe
 *   POST   /v2/notification/webhooks/{id}/simulate           send a sample event {event_type}
 *   GET    /v2/notification/webhooks/{id}/deliveries         delivery log (?event_id=, ?status=, ?limit=)
 *   GET    /v2/notification/webhooks/{id}/deliveries/{did}   one delivery with every attempt
 *   POST   /v2/notification/webhooks/{id}/deliveries/{did}/retry   send a FAILED (or DELIVERED) delivery again
 */
import { Type } from '@sinclair/typebox';
import { changeWebhook, createSigningKey, createWebhook, deleteSigningKey, deleteWebhook, signingKeyView, webhookView } from '../../app/webhooks/notification-commands.js';
import { deliveryDetailView, deliveryView, type DeliveryStatus } from '../../app/webhooks/deliveries.js';
import { publishEvent, webhookOutboxKind } from '../../app/webhooks/publish.js';
import { replayDelivery } from '../../app/webhooks/replay-delivery.js';
import { samplePayload } from '../../app/webhooks/sample-events.js';
import { KassaError } from '../../domain/errors.js';
import { limits } from '../../domain/limits.js';
import { webhookEventTypes, type WebhookEventType } from '../../domain/webhooks/event-types.js';
import { notificationConfigId, notificationConfigType, type NotificationConfig, type WebhookFields } from '../../domain/webhooks/notification-config.js';
import type { OutboxRecord } from '../../store/port.js';
import type { App } from '../app.js';
import { basicAuth } from '../auth.js';
import { runCommand } from '../command.js';
import type { AppDeps } from '../deps.js';
import { Empty, IdempotencyHeader, PathId, v2Errors } from '../schemas.js';

const tags = ['notifications (v2)'];

const SigningKeyOut = Type.Object({ signing_key_id: Type.String(), created_at: Type.String() });
const SigningKeyCreated = Type.Object({ signing_key_id: Type.String(), signing_key: Type.String({ description: 'The HMAC secret; shown only here' }), created_at: Type.String() });

const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: limits.webhookEventTypesMax, description: `Event types or wildcards (payment.request.*): ${webhookEventTypes.join(', ')}` });
const Status = Type.Union([Type.Literal('ENABLED'), Type.Literal('DISABLED')]);
const Url = Type.String({ minLength: 1, maxLength: limits.webhookUrlCharsMax });

const WebhookOut = Type.Object({
  webhook_id: Type.String(),
  url: Type.String(),
  event_types: Type.Array(Type.String()),
  event_version: Type.String(),
  signing_key_id: Type.String(),
  status: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

const CreateWebhookBody = Type.Object(
  { url: Url, event_types: EventTypes, event_version: Type.Optional(Type.Literal('v2')), signing_key_id: PathId, status: Type.Optional(Status) },
  { additionalProperties: false },
);
const UpdateWebhookBody = Type.Object(
  { url: Type.Optional(Url), event_types: Type.Optional(EventTypes), event_version: Type.Optional(Type.Literal('v2')), signing_key_id: Type.Optional(PathId), status: Type.Optional(Status) },
  { additionalProperties: false, minProperties: 1 },
);

const Delivery = Type.Object(
  {
    delivery_id: Type.String(),
    webhook_id: Type.String(),
    event_id: Type.String(),
    event_type: Type.String(),
    url: Type.String(),
    status: Type.Union([Type.Literal('PENDING'), Type.Literal('DELIVERED'), Type.Literal('FAILED')]),
    attempt_count: Type.Integer(),
    next_attempt_at: Type.Optional(Type.String()),
    created_at: Type.String(),
  },
  { additionalProperties: true },
);
const Attempt = Type.Object({ attempt: Type.Integer(), attempted_at: Type.String(), status_code: Type.Union([Type.Integer(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]), latency_ms: Type.Integer() });
const DeliveryDetail = Type.Intersect([Delivery, Type.Object({ attempts: Type.Array(Attempt), request_body: Type.String({ description: 'The exact signed body' }) })]);

const WebhookParams = Type.Object({ webhook_id: PathId });
const DeliveryParams = Type.Object({ webhook_id: PathId, delivery_id: PathId });

export function notificationsV2Routes(app: App, deps: AppDeps): void {
  const auth = { preHandler: [basicAuth(deps)] };
  const config = async (accountId: string): Promise<NotificationConfig> =>
    (await deps.engine.store.getAggregate<NotificationConfig>(accountId, notificationConfigType, notificationConfigId))?.state ?? { signing_keys: [], webhooks: [] };
  const webhookOf = async (accountId: string, webhookId: string) => {
    const webhook = (await config(accountId)).webhooks.find((w) => w.webhook_id === webhookId);
    if (!webhook) throw new KassaError('NOT_FOUND', ['Webhook not found']);
    return webhook;
  };
  const deliveryOf = async (accountId: string, webhookId: string, deliveryId: string): Promise<OutboxRecord> => {
    const row = await deps.engine.store.getOutbox(deliveryId);
    if (!row || row.accountId !== accountId || row.ref !== webhookId || row.kind !== webhookOutboxKind) throw new KassaError('NOT_FOUND', ['Delivery not found']);
    return row;
  };

  // Signing keys
  app.post('/v2/notification/signing-keys', { ...auth, schema: { tags, summary: 'Create a signing key (the secret is shown only in this answer)', headers: IdempotencyHeader, response: { 201: SigningKeyCreated, ...v2Errors(401, 409) } } }, async (request, reply) =>
    runCommand(deps, request, reply, async (uow) => ({ status: 201, body: signingKeyView(await createSigningKey(uow), true) })),
  );
  app.get('/v2/notification/signing-keys', { ...auth, schema: { tags, summary: 'List signing keys', response: { 200: Type.Object({ signing_keys: Type.Array(SigningKeyOut) }), ...v2Errors(401) } } }, async (request) => ({
    signing_keys: (await config(request.account.id)).signing_keys.map((k) => signingKeyView(k, false) as { signing_key_id: string; created_at: string }),
  }));
  app.get('/v2/notification/signing-keys/:signing_key_id', { ...auth, schema: { tags, summary: 'Read a signing key (without its secret)', params: Type.Object({ signing_key_id: PathId }), response: { 200: SigningKeyOut, ...v2Errors(401, 404) } } }, async (request) => {
    const { signing_key_id } = request.params as { signing_key_id: string };
    const key = (await config(request.account.id)).signing_keys.find((k) => k.signing_key_id === signing_key_id);
    if (!key) throw new KassaError('NOT_FOUND', ['Signing key not found']);
    return signingKeyView(key, false) as { signing_key_id: string; created_at: string };
  });
  app.delete('/v2/notification/signing-keys/:signing_key_id', { ...auth, schema: { tags, summary: 'Delete a signing key', params: Type.Object({ signing_key_id: PathId }), headers: IdempotencyHeader, response: { 204: Empty, ...v2Errors(401, 404, 409) } } }, async (request, reply) => {
    const { signing_key_id } = request.params as { signing_key_id: string };
    return runCommand(deps, request, reply, async (uow) => (await deleteSigningKey(uow, signing_key_id), { status: 204 }));
  });

  // Webhooks
  app.post('/v2/notification/webhooks', { ...auth, schema: { tags, summary: 'Subscribe a URL to event types', headers: IdempotencyHeader, body: CreateWebhookBody, response: { 201: WebhookOut, ...v2Errors(400, 401, 409) } } }, async (request, reply) => {
    const body = request.body as WebhookFields & { url: string; event_types: string[]; signing_key_id: string };
    return runCommand(deps, request, reply, async (uow) => ({ status: 201, body: webhookView(await createWebhook(uow, body, deps.config.outbound)) }));
  });
  app.get('/v2/notification/webhooks', { ...auth, schema: { tags, summary: 'List webhooks', response: { 200: Type.Object({ webhooks: Type.Array(WebhookOut) }), ...v2Errors(401) } } }, async (request) => ({
    webhooks: (await config(request.account.id)).webhooks.map(webhookView),
  }));
  app.get('/v2/notification/webhooks/:webhook_id', { ...auth, schema: { tags, summary: 'Read a webhook', params: WebhookParams, response: { 200: WebhookOut, ...v2Errors(401, 404) } } }, async (request) =>
    webhookView(await webhookOf(request.account.id, (request.params as { webhook_id: string }).webhook_id)),
  );
  app.patch('/v2/notification/webhooks/:webhook_id', { ...auth, schema: { tags, summary: 'Update a webhook', params: WebhookParams, headers: IdempotencyHeader, body: UpdateWebhookBody, response: { 200: WebhookOut, ...v2Errors(400, 401, 404) } } }, async (request, reply) => {
    const { webhook_id } = request.params as { webhook_id: string };
    return runCommand(deps, request, reply, async (uow) => ({ status: 200, body: webhookView(await changeWebhook(uow, webhook_id, request.body as WebhookFields, deps.config.outbound)) }));
  });
  app.delete('/v2/notification/webhooks/:webhook_id', { ...auth, schema: { tags, summary: 'Delete a webhook', params: WebhookParams, headers: IdempotencyHeader, response: { 204: Empty, ...v2Errors(401, 404) } } }, async (request, reply) => {
    const { webhook_id } = request.params as { webhook_id: string };
    return runCommand(deps, request, reply, async (uow) => (await deleteWebhook(uow, webhook_id), { status: 204 }));
  });

  app.post(
    '/v2/notification/webhooks/:webhook_id/simulate',
    {
      ...auth,
      schema: {
        tags,
        summary: 'Send a sample event of a type to this webhook (whatever it subscribes to)',
        params: WebhookParams,
        headers: IdempotencyHeader,
        body: Type.Object({ event_type: Type.Union(webhookEventTypes.map((t) => Type.Literal(t))), event_version: Type.Optional(Type.Literal('v2')) }, { additionalProperties: false }),
        response: { 202: Type.Object({ event_id: Type.String(), delivery_id: Type.String(), event_type: Type.String() }), ...v2Errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { webhook_id } = request.params as { webhook_id: string };
      const { event_type } = request.body as { event_type: WebhookEventType };
      return runCommand(deps, request, reply, async (uow) => {
        await webhookOf(uow.accountId, webhook_id);
        const published = await publishEvent(uow, event_type, samplePayload(event_type, uow.now, uow.ctx.random, uow.accountId), { onlyWebhookId: webhook_id });
        return { status: 202, body: { event_id: published.eventId, delivery_id: published.deliveryIds[0]!, event_type } };
      });
    },
  );

  // Delivery log
  app.get(
    '/v2/notification/webhooks/:webhook_id/deliveries',
    {
      ...auth,
      schema: {
        tags,
        summary: 'The delivery log of a webhook, oldest first',
        params: WebhookParams,
        querystring: Type.Object(
          {
            event_id: Type.Optional(PathId),
            status: Type.Optional(Type.Union([Type.Literal('PENDING'), Type.Literal('DELIVERED'), Type.Literal('FAILED')])),
            limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ deliveries: Type.Array(Delivery) }), ...v2Errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { webhook_id } = request.params as { webhook_id: string };
      const query = request.query as { event_id?: string; status?: DeliveryStatus; limit?: string };
      const limit = Math.min(Number(query.limit ?? limits.pageSizeMax), limits.pageSizeMax);
      await webhookOf(request.account.id, webhook_id);
      // Newest first. The status filter is applied after the page is read (among the latest
      // deliveries); ask for event_id to narrow instead.
      const rows = await deps.engine.store.listOutbox(request.account.id, { ref: webhook_id, eventId: query.event_id }, { limit: query.status ? limits.pageSizeMax * 10 : limit, newestFirst: true });
      const views = rows.filter((r) => r.kind === webhookOutboxKind).map(deliveryView);
      return { deliveries: (query.status ? views.filter((v) => v.status === query.status) : views).slice(0, limit) as never };
    },
  );
  app.get(
    '/v2/notification/webhooks/:webhook_id/deliveries/:delivery_id',
    { ...auth, schema: { tags, summary: 'One delivery with every attempt and the signed body', params: DeliveryParams, response: { 200: DeliveryDetail, ...v2Errors(401, 404) } } },
    async (request) => {
      const { webhook_id, delivery_id } = request.params as { webhook_id: string; delivery_id: string };
      const row = await deliveryOf(request.account.id, webhook_id, delivery_id);
      return deliveryDetailView(row, await deps.engine.store.listAttempts(row.id)) as never;
    },
  );
  app.post(
    '/v2/notification/webhooks/:webhook_id/deliveries/:delivery_id/retry',
    {
      ...auth,
      schema: {
        tags,
        summary: 'Send a FAILED or DELIVERED delivery again: a new delivery of the same event (same event_id and body), due now',
        params: DeliveryParams,
        headers: IdempotencyHeader,
        response: { 202: Delivery, ...v2Errors(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const { webhook_id, delivery_id } = request.params as { webhook_id: string; delivery_id: string };
      return runCommand(deps, request, reply, async (uow) => {
        const row = await deliveryOf(uow.accountId, webhook_id, delivery_id);
        const webhook = await webhookOf(uow.accountId, webhook_id);
        return { status: 202, body: await replayDelivery(uow, row, webhook) };
      });
    },
  );
}
