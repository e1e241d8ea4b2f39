/**
 * Sandbox: conclude an order's pending fraud review now, with the outcome the tester picks, instead
 * of waiting for the persona's review timer on the account clock. It is the timer's own decision
 * (decideFraudReview, applyOrderDecision, the deferred auto-capture) run as a command, and it
 * consumes the review timer in the same transaction so the review can only conclude once.
 */
import { KassaError } from '../../domain/errors.js';
import { decideFraudReview } from '../../domain/order/decide-authorization.js';
import type { OrderState } from '../../domain/order/order-state.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { autoCapture } from './auto-capture.js';
import { applyOrderDecision, loadOrder } from './manage-order.js';
import { orderTimers } from './place-order.js';

export async function concludeFraudReviewNow(uow: UnitOfWork, orderId: string, outcome: 'ACCEPTED' | 'REJECTED'): Promise<OrderState> {
  const order = await loadOrder(uow, orderId);
  if (order.fraud_status !== 'PENDING') throw new KassaError('NOT_ALLOWED', [`The fraud review is over: fraud_status is ${order.fraud_status}`]);
  const decision = decideFraudReview(order, outcome);
  uow.cancelTimer(orderTimers.fraudReview(orderId));
  const after = await applyOrderDecision(uow, order, decision);
  if (!decision.ignored && after.fraud_status === 'ACCEPTED' && after.internal.autoCapture) await autoCapture(uow, after);
  return after;
}
