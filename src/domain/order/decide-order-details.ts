/**
 * Order Management edits that do not move the order's status (reference §2): acknowledge,
 * merchant references, customer details and order-level shipping info. They are not in the
 * transition table (final states have no outgoing transitions there, and these change no status);
 * their rules:
 * - acknowledge: refused on a cancelled order (403 NOT_ALLOWED); repeats are harmless.
 * - merchant references: refused on a cancelled order (403 NOT_ALLOWED).
 * - customer details: refused once the order is cancelled, expired or closed; the billing address
 *   is refused once something was captured, because an invoice went to it (403 NOT_ALLOWED).
 * - shipping info: accepted in every status, at most limits.shippingInfoMax entries per order.
 */
import { reject } from '../errors.js';
import { limits } from '../limits.js';
import type { JsonObject, OrderState, ShippingInfo } from './order-state.js';
import { cloneOrder, decided, statusWords, type DecideResult } from './order-decision.js';

export function decideAcknowledge(order: OrderState): DecideResult {
  if (order.status === 'CANCELLED') return reject('NOT_ALLOWED', `${statusWords(order.status)}. It cannot be acknowledged`);
  const next = cloneOrder(order);
  const first = !next.internal.acknowledged;
  next.internal.acknowledged = true;
  return decided(next, [{ type: 'order.acknowledged', data: { first } }]);
}

export function decideMerchantReferences(order: OrderState, input: { merchant_reference1?: string; merchant_reference2?: string }): DecideResult {
  if (order.status === 'CANCELLED') return reject('NOT_ALLOWED', `${statusWords(order.status)}. Merchant references cannot be updated`);
  const next = cloneOrder(order);
  if (input.merchant_reference1 !== undefined) next.merchant_reference1 = input.merchant_reference1;
  if (input.merchant_reference2 !== undefined) next.merchant_reference2 = input.merchant_reference2;
  return decided(next, [{ type: 'order.merchant-references-updated', data: { ...input } }]);
}

export function decideCustomerDetails(order: OrderState, input: { shipping_address?: JsonObject; billing_address?: JsonObject }): DecideResult {
  if (order.status === 'CANCELLED' || order.status === 'EXPIRED' || order.status === 'CLOSED') {
    return reject('NOT_ALLOWED', `${statusWords(order.status)}. Customer details cannot be updated`);
  }
  if (input.billing_address !== undefined && order.captured_amount > 0) {
    return reject('NOT_ALLOWED', 'The billing address cannot be updated after a capture');
  }
  const next = cloneOrder(order);
  if (input.shipping_address !== undefined) next.shipping_address = input.shipping_address;
  if (input.billing_address !== undefined) next.billing_address = input.billing_address;
  return decided(next, [
    { type: 'order.customer-details-updated', data: { shipping_address: input.shipping_address !== undefined, billing_address: input.billing_address !== undefined } },
  ]);
}

export function decideOrderShippingInfo(order: OrderState, shippingInfo: ShippingInfo[]): DecideResult {
  if (order.shipping_info.length + shippingInfo.length > limits.shippingInfoMax) {
    return reject('BAD_VALUE', `Bad value: shipping_info (an order carries at most ${limits.shippingInfoMax} entries)`);
  }
  const next = cloneOrder(order);
  next.shipping_info.push(...shippingInfo);
  return decided(next, [{ type: 'order.shipping-info-added', data: { count: shippingInfo.length } }]);
}
