/**
 * The order's money invariants. Every decide function asserts them on the state it returns, so a
 * bug that would capture more than was authorized, or refund more than was captured, stops the
 * command (500, nothing written) instead of being stored. Rules a caller can break (capturing more
 * than remains) are rejections in decide-*.ts and never reach these asserts.
 */
import { invariant } from '../invariant.js';
import { sum } from '../money.js';
import { isAuthorizationOpen } from './order-machine.js';
import type { OrderState } from './order-state.js';

export function assertOrderInvariants(order: OrderState): void {
  const id = order.order_id;
  const capturedTotal = sum(order.captures.map((c) => c.captured_amount));
  const refundedTotal = sum(order.refunds.map((r) => r.refunded_amount));
  const refundedOnCaptures = sum(order.captures.map((c) => c.refunded_amount));

  invariant(order.order_amount >= 0 && order.original_order_amount >= 0, `order ${id}: amounts are non-negative`);
  invariant(order.captured_amount === capturedTotal, `order ${id}: captured_amount equals the sum of its captures`);
  invariant(order.refunded_amount === refundedTotal, `order ${id}: refunded_amount equals the sum of its refunds`);
  invariant(order.refunded_amount === refundedOnCaptures, `order ${id}: refunds are allocated to captures in full`);
  for (const c of order.captures) {
    invariant(c.captured_amount > 0, `order ${id}: capture ${c.capture_id} is positive`);
    invariant(c.refunded_amount >= 0 && c.refunded_amount <= c.captured_amount, `order ${id}: capture ${c.capture_id} refunded <= captured`);
  }
  invariant(order.captured_amount <= order.order_amount, `order ${id}: captured <= authorized`);
  invariant(order.refunded_amount <= order.captured_amount, `order ${id}: refunded <= captured`);

  const open = isAuthorizationOpen(order.status);
  const expectedRemaining = open ? order.order_amount - order.captured_amount : 0;
  invariant(order.remaining_authorized_amount === expectedRemaining, `order ${id}: remaining_authorized_amount is ${expectedRemaining} in ${order.status}`);

  switch (order.status) {
    case 'AUTHORIZED':
    case 'CANCELLED':
    case 'EXPIRED':
      invariant(order.captured_amount === 0, `order ${id}: nothing is captured in ${order.status}`);
      break;
    case 'PART_CAPTURED':
      invariant(order.captured_amount > 0 && order.remaining_authorized_amount > 0, `order ${id}: PART_CAPTURED has captures and a remainder`);
      break;
    case 'CAPTURED':
      invariant(order.captured_amount > 0 && order.refunded_amount < order.captured_amount, `order ${id}: CAPTURED has unrefunded captures`);
      break;
    case 'CLOSED':
      invariant(order.captured_amount > 0 && order.refunded_amount === order.captured_amount, `order ${id}: CLOSED is fully refunded`);
      break;
  }
  invariant(order.fraud_status !== 'PENDING' || order.captured_amount === 0, `order ${id}: nothing is captured while fraud review is pending`);
  invariant(order.fraud_status !== 'REJECTED' || order.status === 'CANCELLED', `order ${id}: a fraud-rejected order is cancelled`);
}
