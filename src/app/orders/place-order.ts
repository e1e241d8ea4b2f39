/**
 * Places an order (Payments v1 create-order, customer-token orders, v2 payment transactions):
 * writes the order aggregate in AUTHORIZED, its `order.placed` event, the authorization-expiry
 * timer (28 days) and, for a pending fraud review, the review timer — all in the caller's unit of
 * work, so they commit with whatever consumed the authorization.
 * Timer kinds: `order.expire`, `order.fraud-review` (handlers live with Order Management).
 */
import { durations } from '../../domain/limits.js';
import { openOrder, type OpenOrderInput, type OrderState } from '../../domain/order/order-state.js';
import type { UnitOfWork } from '../unit-of-work.js';

export const orderType = 'order';
export const orderTimers = {
  expire: (orderId: string) => `order:${orderId}:expire`,
  fraudReview: (orderId: string) => `order:${orderId}:fraud-review`,
};

export function placeOrder(uow: UnitOfWork, input: Omit<OpenOrderInput, 'now' | 'authorizationTtlMs'>): OrderState {
  const order = openOrder({ ...input, now: uow.now, authorizationTtlMs: durations.orderAuthorizationTtlMs });
  uow.put(orderType, order.order_id, order);
  uow.event(orderType, order.order_id, 'order.placed', {
    order_amount: order.order_amount,
    purchase_currency: order.purchase_currency,
    fraud_status: order.fraud_status,
    source: input.source,
  });
  uow.schedule({ id: orderTimers.expire(order.order_id), dueAt: order.internal.expiresAtMs, kind: 'order.expire', aggregateType: orderType, aggregateId: order.order_id, payload: {} });
  const review = order.internal.fraudReview;
  if (review) {
    uow.schedule({ id: orderTimers.fraudReview(order.order_id), dueAt: review.dueAt, kind: 'order.fraud-review', aggregateType: orderType, aggregateId: order.order_id, payload: { outcome: review.outcome } });
  }
  return order;
}
