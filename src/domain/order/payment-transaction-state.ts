/**
 * A v2 payment transaction (reference §4: AUTHORIZED, EXPIRED, COMPLETED, CLOSED) is an Order
 * Management order in Kassa (source `payment_transaction`), so its state is a projection of the
 * order's status. Order Management publishes `payment.transaction.state-change.<state>` whenever a
 * change of the order's status changes this projection (src/app/orders/manage-order.ts).
 *
 * Kassa's reading, where Klarna documents only the four states:
 * - part captured is still AUTHORIZED (money remains to be captured);
 * - fully captured, or the remainder released/lapsed after a part capture, is COMPLETED;
 * - an authorization that expired with nothing captured is EXPIRED (Klarna later closes it after
 *   7 days; Kassa's order stays EXPIRED, so no `closed` follows);
 * - everything refunded (order CLOSED) or a cancelled authorization (order CANCELLED, also by a
 *   rejected fraud review) is CLOSED: nothing can happen to the money any more.
 */
import type { OrderStatus } from './order-state.js';

export type PaymentTransactionState = 'AUTHORIZED' | 'COMPLETED' | 'EXPIRED' | 'CLOSED';

export const paymentTransactionStateOf: Readonly<Record<OrderStatus, PaymentTransactionState>> = {
  AUTHORIZED: 'AUTHORIZED',
  PART_CAPTURED: 'AUTHORIZED',
  CAPTURED: 'COMPLETED',
  EXPIRED: 'EXPIRED',
  CLOSED: 'CLOSED',
  CANCELLED: 'CLOSED',
};

/** The transaction state an order change moves to, or undefined when the projection did not move. */
export function transactionStateChange(before: OrderStatus, after: OrderStatus): { from: PaymentTransactionState; to: PaymentTransactionState } | undefined {
  const from = paymentTransactionStateOf[before];
  const to = paymentTransactionStateOf[after];
  return from === to ? undefined : { from, to };
}
