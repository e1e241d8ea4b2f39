/**
 * Status views of a merchant order, as the seeds name them.
 *
 * MultiSafepay (../shared/seeds/001_*) shows an order status and a transaction status side by side.
 * The success table, row by row:
 *   1. checkout started                         Uncleared / Initialized
 *   2. Klarna authorizes (order accepted)       Completed / Uncleared
 *   3-4. capture sent, ship within 28 days      (unchanged)
 *   5. order shipped                            Shipped   / Uncleared
 *   6-7. invoiced, customer pays                (unchanged)
 *   8. Klarna settles the funds                 Shipped   / Completed
 *   9. funds added to the balance               Completed / Completed
 * Unsuccessful: declined or cancelled -> Void / Cancelled; not completed or not shipped in time ->
 * Expired / Expired. Refunds carry their own pair: requested Initialized / Completed, processed
 * Completed / Completed.
 * Where the seed is silent Kassa chooses, and docs/merchant-role.md says so: an order placed but
 * still under Klarna's review (pending) keeps row 1's pair; a refund Klarna refuses is
 * Void / Cancelled; a chargeback does not change the pair (it shows on the capture).
 */
import type { MerchantOrder, MerchantRefund } from './merchant-order-state.js';

export type MspOrderStatus = 'Initialized' | 'Uncleared' | 'Completed' | 'Shipped' | 'Void' | 'Expired';
export type MspTransactionStatus = 'Initialized' | 'Uncleared' | 'Completed' | 'Cancelled' | 'Expired';

export interface MspStatus {
  order_status: MspOrderStatus;
  transaction_status: MspTransactionStatus;
}

const pair = (order_status: MspOrderStatus, transaction_status: MspTransactionStatus): MspStatus => ({ order_status, transaction_status });

/** Every capture settled and nothing left to capture: the provider has paid out the order. */
export function fundsSettled(order: MerchantOrder): boolean {
  return order.settled_at !== undefined;
}

export function multiSafepayStatus(order: MerchantOrder): MspStatus {
  if (order.status === 'cancelled') return pair('Void', 'Cancelled');
  if (order.status === 'expired') return pair('Expired', 'Expired');
  if (order.accepted_at === undefined) return pair('Uncleared', 'Initialized');
  const transaction = fundsSettled(order) ? 'Completed' : 'Uncleared';
  if (order.funds_booked_at !== undefined) return pair('Completed', transaction);
  return pair(order.shipped ? 'Shipped' : 'Completed', transaction);
}

export function multiSafepayRefundStatus(refund: MerchantRefund): MspStatus {
  if (refund.status === 'REFUNDED') return pair('Completed', 'Completed');
  if (refund.status === 'FAILED') return pair('Void', 'Cancelled');
  return pair('Initialized', 'Completed');
}

/**
 * Cybersource's statuses per request kind (seed 003). PENDING is Kassa's for "outcome not known
 * yet" (every kind) and, on check_status, "Klarna's fraud review is still pending".
 */
export const requestStatusesByKind = {
  session: ['PENDING', 'INITIATED', 'COMPLETED', 'FAILED'],
  authorization: ['PENDING', 'AUTHORIZED', 'FAILED'],
  check_status: ['PENDING', 'ABANDONED', 'AUTHORIZED', 'FAILED'],
  reversal: ['PENDING', 'AUTH_REVERSED', 'FAILED'],
  capture: ['PENDING', 'SETTLED', 'FAILED'],
  capture_status: ['PENDING', 'CHARGEBACK', 'SETTLED', 'FAILED'],
  refund: ['PENDING', 'REFUNDED', 'FAILED'],
  refund_status: ['PENDING', 'REFUNDED', 'FAILED'],
  update_authorization: ['PENDING', 'AUTHORIZED', 'FAILED'],
  extend_authorization: ['PENDING', 'AUTHORIZED', 'FAILED'],
  shipping_info: ['PENDING', 'COMPLETED', 'FAILED'],
} as const;
