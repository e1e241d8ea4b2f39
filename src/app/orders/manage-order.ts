/**
 * Order Management commands on the engine: load the order (404 NO_SUCH_ORDER when absent or
 * another account's), decide purely (src/domain/order/decide-*.ts), then write in the caller's
 * unit of work: the new state (compare-and-set on the version read), its events, the expiry timer
 * kept in step with the capture deadline, the merchant notification for a fraud decision, and what
 * the order-change hooks add (order-change-hooks.ts: settlement tracking, the v2
 * `payment.transaction.state-change.*` webhooks; async, since publishing reads the subscriptions).
 * Concurrent commands on one order are serialised by the version check: the loser is re-run on
 * fresh state by the engine, so two captures can never both spend the same remainder.
 */
import { KassaError, isRejection } from '../../domain/errors.js';
import { isAuthorizationOpen } from '../../domain/order/order-machine.js';
import type { DecideResult, FraudNotification, OrderDecision } from '../../domain/order/order-decision.js';
import type { OrderState } from '../../domain/order/order-state.js';
import { ids } from '../ids.js';
import { afterOrderChanged } from './order-change-hooks.js';
import { fillPlaceholders } from '../payments/create-order.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { orderTimers, orderType } from './place-order.js';

/** The order of this account, or 404 NO_SUCH_ORDER. */
export async function loadOrder(uow: UnitOfWork, orderId: string): Promise<OrderState> {
  const order = await uow.load<OrderState>(orderType, orderId);
  if (!order) throw new KassaError('NO_SUCH_ORDER', [`No order with id ${orderId}`]);
  return order;
}

/** Writes a decision made on `before` into the unit of work and returns the new state. */
export async function applyOrderDecision(uow: UnitOfWork, before: OrderState, decision: OrderDecision): Promise<OrderState> {
  const after = decision.order;
  const id = after.order_id;
  uow.put(orderType, id, after);
  for (const e of decision.events) uow.event(orderType, id, e.type, e.data);

  const timerId = orderTimers.expire(id);
  if (isAuthorizationOpen(after.status)) {
    if (after.internal.expiresAtMs !== before.internal.expiresAtMs) {
      uow.schedule({ id: timerId, dueAt: after.internal.expiresAtMs, kind: 'order.expire', aggregateType: orderType, aggregateId: id, payload: {} });
    }
  } else if (isAuthorizationOpen(before.status)) {
    uow.cancelTimer(timerId);
  }

  if (decision.notification) notifyMerchant(uow, after, decision.notification);
  await afterOrderChanged(uow, before, after);
  return after;
}

/** Loads, decides and applies; a rejection is thrown as a KassaError (nothing is written). */
export async function changeOrder(uow: UnitOfWork, orderId: string, decide: (order: OrderState) => DecideResult): Promise<OrderState> {
  const before = await loadOrder(uow, orderId);
  const result = decide(before);
  if (isRejection(result)) throw KassaError.from(result);
  return applyOrderDecision(uow, before, result);
}

/** Fills Klarna's merchant-URL placeholders ({order.id}, {session.id}) for this order. */
export function orderUrl(url: string, order: OrderState): string {
  return fillPlaceholders(url, { orderId: order.order_id, sessionId: order.internal.source === 'payments' ? order.internal.sourceId : undefined });
}

/**
 * POSTs `{order_id, event_type, event_id, timestamp}` to the order's notification URL through the
 * outbox (at least once, retried on the documented back-off). No URL, no notification.
 */
export function notifyMerchant(uow: UnitOfWork, order: OrderState, eventType: FraudNotification): string | undefined {
  const url = order.internal.merchant_urls?.notification;
  if (!url) return undefined;
  const eventId = ids.event(uow.ctx.random);
  const body = JSON.stringify({ order_id: order.order_id, event_type: eventType, event_id: eventId, timestamp: new Date(uow.now).toISOString() });
  return uow.enqueue({ kind: 'notification', eventId, eventType, url: orderUrl(url, order), headers: {}, body, ref: order.order_id });
}
