/**
 * Replaying a delivery: a FAILED or DELIVERED delivery sent again as a new delivery of the same
 * event (same event_id and body), due now. One command for the API's retry route
 * (POST /v2/notification/webhooks/{id}/deliveries/{id}/retry) and the dashboard's replay button.
 */
import { KassaError } from '../../domain/errors.js';
import { notificationConfigId, notificationConfigType, type Webhook } from '../../domain/webhooks/notification-config.js';
import type { OutboxRecord } from '../../store/port.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { deliveryView } from './deliveries.js';
import { republish } from './publish.js';

/** `row` and `webhook` are the caller's, already checked to belong to the account. */
export async function replayDelivery(uow: UnitOfWork, row: OutboxRecord, webhook: Webhook): Promise<Record<string, unknown>> {
  if (row.status === 'pending') throw new KassaError('DELIVERY_STATE', ['Delivery is still PENDING: it is retried automatically']);
  const newId = await republish(uow, webhook, { body: row.body, eventType: row.eventType, eventId: row.eventId });
  uow.event(notificationConfigType, notificationConfigId, 'webhook.delivery.replayed', { webhook_id: webhook.webhook_id, delivery_id: row.id, new_delivery_id: newId, event_id: row.eventId });
  return deliveryView({ ...row, id: newId, url: webhook.url, status: 'pending', attempts: 0, nextAttemptAt: uow.now, createdAt: uow.now });
}
