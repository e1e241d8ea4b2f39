/**
 * What Order Management shows of an order: Klarna's order object (reference §2), i.e. the stored
 * state without `internal`. Captures and refunds are shown as stored.
 */
import type { Capture, OrderState, Refund } from './order-state.js';

export type OrderView = Omit<OrderState, 'internal'>;

export function orderView(order: OrderState): OrderView {
  const { internal: _internal, ...view } = order;
  return view;
}

export function captureView(capture: Capture): Capture {
  return capture;
}

export function refundView(refund: Refund): Refund {
  return refund;
}
