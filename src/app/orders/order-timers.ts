/**
 * The order's timers (scheduled by placeOrder and by extensions):
 * - `order.expire`: the capture deadline passed -> EXPIRED (nothing captured) or the remainder
 *   lapses (part captured -> CAPTURED / CLOSED). A stale timer (deadline moved) is ignored.
 * - `order.fraud-review`: the pending review concludes with the outcome in its payload ->
 *   fraud_status ACCEPTED (then a deferred auto-capture runs) or REJECTED (order cancelled); the
 *   merchant is notified at merchant_urls.notification.
 * Each runs as an engine command that consumed the timer row, so it fires once.
 */
import { decideExpire, decideFraudReview } from '../../domain/order/decide-authorization.js';
import type { OrderState } from '../../domain/order/order-state.js';
import type { TimerRecord } from '../../store/port.js';
import type { TimerRunner } from '../../timers/timer-runner.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { autoCapture } from './auto-capture.js';
import { applyOrderDecision } from './manage-order.js';
import { orderType } from './place-order.js';

export async function expireOrder(uow: UnitOfWork, timer: TimerRecord): Promise<void> {
  const order = await uow.load<OrderState>(orderType, timer.aggregateId);
  if (!order) return;
  await applyOrderDecision(uow, order, decideExpire(order, { now: uow.now }));
}

export async function concludeFraudReview(uow: UnitOfWork, timer: TimerRecord): Promise<void> {
  const order = await uow.load<OrderState>(orderType, timer.aggregateId);
  if (!order) return;
  const payload = (timer.payload ?? {}) as { outcome?: string };
  const outcome = payload.outcome === 'REJECTED' ? 'REJECTED' : 'ACCEPTED';
  const decision = decideFraudReview(order, outcome);
  const after = await applyOrderDecision(uow, order, decision);
  if (!decision.ignored && after.fraud_status === 'ACCEPTED' && after.internal.autoCapture) await autoCapture(uow, after);
}

export function registerOrderTimers(timers: TimerRunner): void {
  timers.register('order.expire', expireOrder);
  timers.register('order.fraud-review', concludeFraudReview);
}
