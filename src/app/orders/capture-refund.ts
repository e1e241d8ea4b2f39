/**
 * Capturing and refunding an order: the ids a new capture or refund takes, and the decision, as
 * one application command that the Order Management routes and the dashboard's forms both call.
 */
import { decideCapture, type CaptureInput } from '../../domain/order/decide-capture.js';
import { decideRefund, type RefundInput } from '../../domain/order/decide-refund.js';
import { ids } from '../ids.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { changeOrder } from './manage-order.js';

/** Captures (part of) the order; returns the new capture's id. */
export async function captureOrder(uow: UnitOfWork, orderId: string, input: CaptureInput): Promise<string> {
  const captureId = ids.capture(uow.ctx.random);
  const klarnaReference = ids.klarnaReference(uow.ctx.random);
  await changeOrder(uow, orderId, (order) => decideCapture(order, input, { captureId, klarnaReference }, { now: uow.now }));
  return captureId;
}

/** Refunds (part of) what was captured; returns the new refund's id. */
export async function refundOrder(uow: UnitOfWork, orderId: string, input: RefundInput): Promise<string> {
  const refundId = ids.refund(uow.ctx.random);
  await changeOrder(uow, orderId, (order) => decideRefund(order, input, refundId, { now: uow.now }));
  return refundId;
}
