/**
 * Captures (reference §2): create one, and the per-capture operations (shipping info, trigger
 * send-out, extend the invoice due date). Checks run in a fixed order so the same request always
 * gets the same code: the order lines against the amount (400, lines-match-amount.ts) -> the order's status (cancelled / expired / nothing left) -> the capture
 * deadline -> fraud review -> the per-order capture limit -> the amount against what remains.
 * Each failure is 403 CAPTURE_NOT_ALLOWED with a message that says which.
 */
import { reject, type Rejection } from '../errors.js';
import { limits } from '../limits.js';
import { linesMatchAmount } from './lines-match-amount.js';
import { amountGuardOf, orderTransition } from './order-machine.js';
import type { Capture, OrderLine, OrderState, ShippingInfo } from './order-state.js';
import { cloneOrder, decided, iso, statusWords, type DecideResult, type OrderContext } from './order-decision.js';

export interface CaptureInput {
  captured_amount: number;
  description?: string;
  reference?: string;
  order_lines?: OrderLine[];
  shipping_info?: ShippingInfo[];
  shipping_delay?: number;
}

export interface CaptureIds {
  captureId: string;
  klarnaReference: string;
}

/** Why this order cannot be captured at all right now (before looking at the amount), if it cannot. */
export function captureBlocked(order: OrderState, now: number): Rejection | undefined {
  if (order.status === 'CANCELLED' || order.status === 'EXPIRED' || order.status === 'CLOSED') {
    return reject('CAPTURE_NOT_ALLOWED', `${statusWords(order.status)}. Capture not possible`);
  }
  if (order.status === 'CAPTURED') return reject('CAPTURE_NOT_ALLOWED', 'Order is fully captured; no authorized amount remains');
  if (now >= order.internal.expiresAtMs) return reject('CAPTURE_NOT_ALLOWED', 'Order is expired. Capture not possible');
  if (order.fraud_status === 'PENDING') return reject('CAPTURE_NOT_ALLOWED', 'Order is pending fraud review. Capture not possible until it is accepted');
  if (order.fraud_status === 'REJECTED') return reject('CAPTURE_NOT_ALLOWED', 'Order was rejected by fraud review. Capture not possible');
  return undefined;
}

export function decideCapture(order: OrderState, input: CaptureInput, ids: CaptureIds, ctx: OrderContext): DecideResult {
  const lines = linesMatchAmount(input.order_lines, input.captured_amount, 'captured_amount', order.purchase_country);
  if (lines) return lines;
  const blocked = captureBlocked(order, ctx.now);
  if (blocked) return blocked;
  if (order.captures.length >= limits.capturesPerOrderMax) {
    return reject('CAPTURE_NOT_ALLOWED', `An order can have at most ${limits.capturesPerOrderMax} captures`);
  }
  if (input.captured_amount > order.remaining_authorized_amount) {
    return reject(
      'CAPTURE_NOT_ALLOWED',
      `Capture amount (${input.captured_amount}) exceeds the remaining authorized amount (${order.remaining_authorized_amount})`,
    );
  }

  const capture: Capture = {
    capture_id: ids.captureId,
    klarna_reference: ids.klarnaReference,
    captured_amount: input.captured_amount,
    captured_at: iso(ctx.now),
    description: input.description,
    reference: input.reference,
    order_lines: input.order_lines ?? [],
    refunded_amount: 0,
    billing_address: order.billing_address,
    shipping_address: order.shipping_address,
    shipping_info: input.shipping_info ?? [],
  };
  // A new top level and a new captures array; everything else is shared with `order`, unchanged
  // (a cached state is frozen, so nothing can change the shared parts; see cloneOrder).
  const next: OrderState = {
    ...order,
    captures: [...order.captures, capture],
    captured_amount: order.captured_amount + input.captured_amount,
    remaining_authorized_amount: order.remaining_authorized_amount - input.captured_amount,
  };
  const to = orderTransition(order.status, 'capture', amountGuardOf(next));
  if (!to) return reject('CAPTURE_NOT_ALLOWED', `${statusWords(order.status)}. Capture not possible`);
  next.status = to;
  return decided(next, [
    { type: 'order.captured', data: { capture_id: capture.capture_id, captured_amount: capture.captured_amount, status: to, from: order.status } },
  ]);
}

function findCapture(order: OrderState, captureId: string): Capture | Rejection {
  const capture = order.captures.find((c) => c.capture_id === captureId);
  return capture ?? reject('NO_SUCH_CAPTURE', `No capture with id ${captureId} on this order`);
}

/** Adds shipping info to a capture (≤ limits.shippingInfoMax in all). */
export function decideCaptureShippingInfo(order: OrderState, captureId: string, shippingInfo: ShippingInfo[]): DecideResult {
  const found = findCapture(order, captureId);
  if ('rejected' in found) return found;
  if (found.shipping_info.length + shippingInfo.length > limits.shippingInfoMax) {
    return reject('BAD_VALUE', `Bad value: shipping_info (a capture carries at most ${limits.shippingInfoMax} entries)`);
  }
  const next = cloneOrder(order);
  next.captures.find((c) => c.capture_id === captureId)!.shipping_info.push(...shippingInfo);
  return decided(next, [{ type: 'capture.shipping-info-added', data: { capture_id: captureId, count: shippingInfo.length } }]);
}

/** Asks Klarna to send the customer communication (invoice) for a capture again: recorded only. */
export function decideTriggerSendOut(order: OrderState, captureId: string): DecideResult {
  const found = findCapture(order, captureId);
  if ('rejected' in found) return found;
  return decided(cloneOrder(order), [{ type: 'capture.send-out-triggered', data: { capture_id: captureId } }]);
}

/**
 * Due-date extension of a capture's invoice. Klarna prices the options per merchant contract;
 * Kassa offers 7, 14, 21 and 28 days at no fee, for pay-later (INVOICE) orders only, on captures
 * that still have an unrefunded amount.
 */
export const dueDateExtensionDays = [7, 14, 21, 28] as const;

export function dueDateExtensionOptions(order: OrderState, captureId: string): { currency: string; options: { number_of_days: number; amount: number }[] } | Rejection {
  const found = findCapture(order, captureId);
  if ('rejected' in found) return found;
  const eligible = order.initial_payment_method.type === 'INVOICE' && found.refunded_amount < found.captured_amount;
  return { currency: order.purchase_currency, options: eligible ? dueDateExtensionDays.map((d) => ({ number_of_days: d, amount: 0 })) : [] };
}

export function decideExtendDueDate(order: OrderState, captureId: string, numberOfDays: number): DecideResult {
  const found = findCapture(order, captureId);
  if ('rejected' in found) return found;
  if (!(dueDateExtensionDays as readonly number[]).includes(numberOfDays)) {
    return reject('BAD_VALUE', `Bad value: number_of_days (one of ${dueDateExtensionDays.join(', ')})`);
  }
  if (order.initial_payment_method.type !== 'INVOICE') {
    return reject('NOT_ALLOWED', 'The due date can only be extended for pay-later (invoice) orders');
  }
  if (found.refunded_amount >= found.captured_amount) return reject('NOT_ALLOWED', 'The capture is fully refunded; there is no due date to extend');
  const next = cloneOrder(order);
  const extensions = { ...(next.internal.dueDateExtensions ?? {}) };
  extensions[captureId] = (extensions[captureId] ?? 0) + numberOfDays;
  next.internal.dueDateExtensions = extensions;
  return decided(next, [{ type: 'capture.due-date-extended', data: { capture_id: captureId, number_of_days: numberOfDays } }]);
}
