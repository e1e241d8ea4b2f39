/**
 * The authorization side of an order (reference §2): cancel, update (new order_amount /
 * order_lines), extend the capture deadline, release what remains, and the two signals that come
 * from the clock: expiry and the fraud review outcome.
 *
 * Rules, each with its documented code:
 * - cancel only while nothing is captured (403 CANCEL_NOT_ALLOWED "Order has previous captures");
 * - update only while the authorization is open, never below the captured amount; a raise is
 *   decided again on the purchase's subject and payment method and may be declined (403 NOT_ALLOWED);
 *   new order_lines follow the same line rules as at creation and must add up to order_amount
 *   (400 BAD_VALUE naming the field);
 * - extend only while the authorization is open: deadline = end of the UTC day of the extension
 *   + 28 days (same-day repeats give the same date), never more than 180 days after creation
 *   (403 NOT_ALLOWED once that cap is reached; "Order is expired. Authorization time cannot be
 *   extended." when expired);
 * - release only once something was captured and not on cancelled/expired orders (403 NOT_ALLOWED);
 * - a timer that arrives late (order already cancelled, captured, extended) is recorded and ignored.
 */
import { decidePurchase } from '../decision/decide-purchase.js';
import { paymentMethodCategories, type PaymentMethodCategoryId } from '../decision/payment-methods.js';
import { reject, type Rejection } from '../errors.js';
import { durations } from '../limits.js';
import { sum } from '../money.js';
import { validateOrderLines } from '../session/validate-order.js';
import { amountGuardOf, isAuthorizationOpen, orderTransition } from './order-machine.js';
import type { OrderLine, OrderState } from './order-state.js';
import { cloneOrder, decided, iso, statusWords, type DecideResult, type OrderContext, type OrderDecision } from './order-decision.js';

const dayMs = 24 * 3600_000;

export function decideCancel(order: OrderState): DecideResult {
  if (order.captured_amount > 0) return reject('CANCEL_NOT_ALLOWED', 'Order has previous captures. Cancel not possible');
  const to = orderTransition(order.status, 'cancel');
  if (!to) return reject('CANCEL_NOT_ALLOWED', `${statusWords(order.status)}. Cancel not possible`);
  const next = cloneOrder(order);
  next.status = to;
  next.remaining_authorized_amount = 0;
  return decided(next, [{ type: 'order.cancelled', data: { from: order.status } }]);
}

export interface UpdateAuthorizationInput {
  order_amount: number;
  order_lines?: OrderLine[];
  description?: string;
}

const categoryOfType: Record<string, PaymentMethodCategoryId> = {
  INVOICE: 'pay_later',
  FIXED_SUM_CREDIT: 'pay_over_time',
  DIRECT_DEBIT: 'pay_now',
};

/** Klarna re-approves a raised amount: the persona decision and the payment method's amount range. */
function declineRaise(order: OrderState, amount: number): Rejection | undefined {
  const decision = decidePurchase(order.internal.subject ?? {});
  if (!decision.approved) return reject('NOT_ALLOWED', `The increased order amount was declined (${decision.reason})`);
  const category = categoryOfType[order.initial_payment_method.type.toUpperCase()];
  if (category) {
    const intent = order.internal.source === 'customer_token' ? 'tokenize' : 'buy';
    const offered = paymentMethodCategories(order.purchase_country, amount, intent, '').some((c) => c.identifier === category);
    if (!offered) return reject('NOT_ALLOWED', `The increased order amount was declined: ${order.initial_payment_method.description} is not available for ${amount}`);
  }
  return undefined;
}

export function decideUpdateAuthorization(order: OrderState, input: UpdateAuthorizationInput, ctx: OrderContext): DecideResult {
  if (input.order_lines && input.order_lines.length > 0) {
    const lines = validateOrderLines(input.order_lines, order.purchase_country);
    if (lines) return lines;
    const total = sum(input.order_lines.map((l) => l.total_amount));
    if (total !== input.order_amount) return reject('BAD_VALUE', `Bad value: order_amount (must equal the sum of order_lines[].total_amount (${total}))`);
  }
  if (!isAuthorizationOpen(order.status)) return reject('NOT_ALLOWED', `${statusWords(order.status)}. The authorization cannot be updated`);
  if (ctx.now >= order.internal.expiresAtMs) return reject('NOT_ALLOWED', 'Order is expired. The authorization cannot be updated');
  if (input.order_amount < order.captured_amount) {
    return reject('NOT_ALLOWED', `The new order amount (${input.order_amount}) is lower than the captured amount (${order.captured_amount})`);
  }
  if (input.order_amount > order.order_amount) {
    const declined = declineRaise(order, input.order_amount);
    if (declined) return declined;
  }

  const next = cloneOrder(order);
  next.order_amount = input.order_amount;
  next.remaining_authorized_amount = input.order_amount - next.captured_amount;
  if (input.order_lines && input.order_lines.length > 0) {
    next.order_lines = input.order_lines;
    next.internal.order_tax_amount = sum(input.order_lines.map((l) => (l.type === 'sales_tax' ? l.total_amount : (l.total_tax_amount ?? 0))));
  }
  const to = orderTransition(order.status, 'update_authorization', amountGuardOf(next));
  if (!to) return reject('NOT_ALLOWED', `${statusWords(order.status)}. The authorization cannot be updated`);
  next.status = to;
  return decided(next, [
    { type: 'order.authorization-updated', data: { from_amount: order.order_amount, order_amount: input.order_amount, description: input.description, status: to } },
  ]);
}

/** End of the UTC day that contains `ms`. */
function endOfUtcDay(ms: number): number {
  return Math.floor(ms / dayMs) * dayMs + dayMs - 1;
}

export function decideExtendAuthorization(order: OrderState, ctx: OrderContext): DecideResult {
  if (order.status === 'EXPIRED' || (isAuthorizationOpen(order.status) && ctx.now >= order.internal.expiresAtMs)) {
    return reject('NOT_ALLOWED', 'Order is expired. Authorization time cannot be extended.');
  }
  if (!isAuthorizationOpen(order.status)) return reject('NOT_ALLOWED', `${statusWords(order.status)}. Authorization time cannot be extended.`);
  if (order.purchase_country === 'US' && order.initial_payment_method.type === 'FIXED_SUM_CREDIT') {
    return reject('NOT_ALLOWED', 'Authorization time cannot be extended for US fixed-sum credit orders.');
  }
  const cap = order.internal.createdAtMs + durations.orderAuthorizationLifetimeMaxMs;
  const wanted = endOfUtcDay(ctx.now + durations.orderAuthorizationTtlMs);
  const deadline = Math.max(order.internal.expiresAtMs, Math.min(wanted, cap));
  if (deadline === order.internal.expiresAtMs && wanted > cap) {
    return reject('NOT_ALLOWED', 'Authorization time cannot be extended beyond 180 days after the order was created.');
  }
  const next = cloneOrder(order);
  next.internal.expiresAtMs = deadline;
  next.expires_at = iso(deadline);
  const to = orderTransition(order.status, 'extend_authorization')!;
  next.status = to;
  return decided(next, [{ type: 'order.authorization-extended', data: { from: order.expires_at, expires_at: next.expires_at } }]);
}

export function decideReleaseRemaining(order: OrderState): DecideResult {
  if (order.status === 'AUTHORIZED') return reject('NOT_ALLOWED', 'Order has no captures. Use cancel to release the whole authorization');
  const next = cloneOrder(order);
  next.remaining_authorized_amount = 0;
  const to = orderTransition(order.status, 'release_remaining_authorization', amountGuardOf(next));
  if (!to) return reject('NOT_ALLOWED', `${statusWords(order.status)}. The remaining authorization cannot be released`);
  next.status = to;
  return decided(next, [{ type: 'order.authorization-released', data: { released_amount: order.remaining_authorized_amount, status: to, from: order.status } }]);
}

function ignoredSignal(order: OrderState, signal: string, reason: string): OrderDecision {
  return decided(cloneOrder(order), [{ type: 'order.signal-ignored', data: { signal, reason, status: order.status, fraud_status: order.fraud_status } }], { ignored: true });
}

/** The authorization deadline passed (timer `order.expire`). */
export function decideExpire(order: OrderState, ctx: OrderContext): OrderDecision {
  if (!isAuthorizationOpen(order.status)) return ignoredSignal(order, 'expire', `${statusWords(order.status)}`);
  if (ctx.now < order.internal.expiresAtMs) return ignoredSignal(order, 'expire', `deadline moved to ${order.expires_at}`);
  const next = cloneOrder(order);
  next.remaining_authorized_amount = 0;
  const to = orderTransition(order.status, 'expire', amountGuardOf(next))!;
  next.status = to;
  return decided(next, [{ type: 'order.expired', data: { released_amount: order.remaining_authorized_amount, status: to, from: order.status } }]);
}

/** The fraud review fell due (timer `order.fraud-review`): ACCEPTED, or REJECTED and cancelled. */
export function decideFraudReview(order: OrderState, outcome: 'ACCEPTED' | 'REJECTED'): OrderDecision {
  if (order.fraud_status !== 'PENDING') return ignoredSignal(order, 'fraud-review', `fraud_status is ${order.fraud_status}`);
  const event = outcome === 'ACCEPTED' ? 'fraud_accepted' : 'fraud_rejected';
  const to = orderTransition(order.status, event);
  if (!to) {
    // The merchant cancelled while the review ran: the review still concludes (fraud_status is
    // kept apart from status), the status stays final, and nobody is notified.
    const next = cloneOrder(order);
    next.fraud_status = outcome;
    next.internal.fraudReview = undefined;
    return decided(next, [{ type: 'order.signal-ignored', data: { signal: 'fraud-review', reason: statusWords(order.status), fraud_status: outcome } }], { ignored: true });
  }
  const next = cloneOrder(order);
  next.fraud_status = outcome;
  next.status = to;
  next.internal.fraudReview = undefined;
  if (!isAuthorizationOpen(to)) next.remaining_authorized_amount = 0;
  return decided(next, [{ type: outcome === 'ACCEPTED' ? 'order.fraud-accepted' : 'order.fraud-rejected', data: { status: to } }], {
    notification: outcome === 'ACCEPTED' ? 'FRAUD_RISK_ACCEPTED' : 'FRAUD_RISK_REJECTED',
  });
}
