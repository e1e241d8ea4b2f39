/**
 * Refunds (reference §2): an order without captures cannot be refunded, and the refunds may never
 * add up to more than was captured (403 REFUND_NOT_ALLOWED). A refund is spread over the
 * captures oldest first, each up to what is still unrefunded on it, so every capture's
 * `refunded_amount` stays ≤ its `captured_amount` and their sum is the order's `refunded_amount`.
 * A refund that leaves nothing captured unrefunded and nothing authorized closes the order. Its
 * order lines, if any, must add up to the refunded amount (400, lines-match-amount.ts), checked first.
 */
import { reject } from '../errors.js';
import { limits } from '../limits.js';
import { linesMatchAmount } from './lines-match-amount.js';
import { amountGuardOf, orderTransition } from './order-machine.js';
import type { OrderLine, OrderState, Refund } from './order-state.js';
import { decided, iso, statusWords, type DecideResult, type OrderContext } from './order-decision.js';

export interface RefundInput {
  refunded_amount: number;
  description?: string;
  reference?: string;
  order_lines?: OrderLine[];
}

export function decideRefund(order: OrderState, input: RefundInput, refundId: string, ctx: OrderContext): DecideResult {
  const lines = linesMatchAmount(input.order_lines, input.refunded_amount, 'refunded_amount', order.purchase_country);
  if (lines) return lines;
  if (order.captured_amount === 0) return reject('REFUND_NOT_ALLOWED', 'Order has no captures. Refund not possible');
  if (order.refunds.length >= limits.refundsPerOrderMax) {
    return reject('REFUND_NOT_ALLOWED', `An order can have at most ${limits.refundsPerOrderMax} refunds`);
  }
  const refundable = order.captured_amount - order.refunded_amount;
  if (input.refunded_amount > refundable) {
    return reject('REFUND_NOT_ALLOWED', `Refund amount (${input.refunded_amount}) exceeds the captured amount not yet refunded (${refundable})`);
  }

  let left = input.refunded_amount;
  // Captures the refund touches are new objects; the rest, like every other part of the order
  // that does not change, are shared with `order` (a cached state is frozen; see cloneOrder).
  const captures = order.captures.map((capture) => {
    const take = Math.min(left, capture.captured_amount - capture.refunded_amount);
    if (take === 0) return capture;
    left -= take;
    return { ...capture, refunded_amount: capture.refunded_amount + take };
  });
  const refund: Refund = {
    refund_id: refundId,
    refunded_amount: input.refunded_amount,
    refunded_at: iso(ctx.now),
    description: input.description,
    reference: input.reference,
    order_lines: input.order_lines ?? [],
  };
  const next: OrderState = { ...order, captures, refunds: [...order.refunds, refund], refunded_amount: order.refunded_amount + input.refunded_amount };
  const to = orderTransition(order.status, 'refund', amountGuardOf(next));
  if (!to) return reject('REFUND_NOT_ALLOWED', `${statusWords(order.status)}. Refund not possible`);
  next.status = to;
  return decided(next, [{ type: 'order.refunded', data: { refund_id: refundId, refunded_amount: input.refunded_amount, status: to, from: order.status } }]);
}
