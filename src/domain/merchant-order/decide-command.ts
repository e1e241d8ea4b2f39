/**
 * What the merchant (and the provider's notifications) can ask of a merchant order, decided
 * purely: open a checkout, place the order from an authorization token, ship, capture, update the
 * cart, extend, refund, close, cancel, check a status, and take in a notification. A command the
 * table does not allow in the current state is refused (403 NOT_ALLOWED), or answered "busy"
 * (409, retryable) while another outbound step of the order is still running. Accepted commands
 * add durable steps; the application runs them (src/app/merchant/).
 */
import { reject, type Rejection } from '../errors.js';
import { limits } from '../limits.js';
import { isFinal } from '../machine.js';
import type { OrderLine, ShippingInfo } from '../order/order-state.js';
import { sumLines } from '../session/validate-order.js';
import { linesMatchAmount } from '../order/lines-match-amount.js';
import { Draft, type DecideContext, type Decision } from './merchant-order-core.js';
import { allows, inFlightStates, merchantOrderMachine, type MerchantOrderEvent } from './merchant-order-machine.js';
import { mutatingStepKinds, type Cart, type CaptureIntent, type MerchantOrder, type MerchantRefund, type Step } from './merchant-order-state.js';
import { multiSafepayRefundStatus } from './status-views.js';

export type MerchantCommand =
  | { type: 'retry_checkout' }
  | { type: 'authorize'; authorization_token: string }
  | { type: 'cancel' }
  | { type: 'ship'; shipping_info: ShippingInfo[]; capture?: boolean; captured_amount?: number; order_lines?: OrderLine[]; description?: string }
  | { type: 'capture'; captured_amount: number; order_lines?: OrderLine[]; shipping_info?: ShippingInfo[]; description?: string }
  | { type: 'update_cart'; order_amount: number; order_tax_amount: number; order_lines: OrderLine[] }
  | { type: 'extend' }
  | { type: 'refund'; refunded_amount: number; description?: string; order_lines?: OrderLine[] }
  | { type: 'close' }
  | { type: 'check'; request_id?: string }
  | { type: 'notification'; event_type?: string; klarna_order_id?: string; klarna_capture_id?: string; authorization_token?: string };

export interface OpenInput {
  orderId: string;
  cart: Cart;
  connectionId: string;
  notificationToken: string;
}

/** A new merchant order in `checkout`, its session to be created right away. */
export function openMerchantOrder(input: OpenInput, ctx: DecideContext): Decision {
  const iso = new Date(ctx.now).toISOString();
  const empty: MerchantOrder = {
    order_id: input.orderId,
    status: 'checkout',
    created_at: iso,
    updated_at: iso,
    cart: input.cart,
    connection_id: input.connectionId,
    notification_token: input.notificationToken,
    klarna: {},
    shipped: false,
    shipping_info: [],
    captures: [],
    refunds: [],
    captured_amount: 0,
    refunded_amount: 0,
    steps: [],
    requests: [],
    client_keys: [],
  };
  const d = new Draft(empty, ctx);
  d.addStep({ kind: 'create_session' }, ctx.now, { eager: true });
  d.note('checkout_started', { order_amount: input.cart.order_amount, purchase_currency: input.cart.purchase_currency });
  return d.done();
}

/**
 * Cart rules the merchant can break, whatever the provider: line totals and the order's sums
 * (order_tax_amount counts line taxes and US-style sales_tax lines). The provider checks the rest
 * (markets, tax rates) and a session it refuses shows as a FAILED session request.
 */
export function checkCart(cart: Pick<Cart, 'order_amount' | 'order_tax_amount' | 'order_lines'>): Rejection | undefined {
  if (cart.order_lines.length === 0) return reject('BAD_VALUE', 'Bad value: order_lines (at least one line)');
  for (const [i, line] of cart.order_lines.entries()) {
    const expected = line.quantity * line.unit_price - (line.total_discount_amount ?? 0);
    if (line.total_amount !== expected) return reject('BAD_VALUE', `Bad value: order_lines[${i}].total_amount (quantity × unit_price − total_discount_amount = ${expected})`);
  }
  const sums = sumLines(cart.order_lines);
  if (cart.order_amount !== sums.amount) return reject('BAD_VALUE', `Bad value: order_amount (the sum of order_lines[].total_amount is ${sums.amount})`);
  if (cart.order_tax_amount !== sums.tax + sums.salesTax) return reject('BAD_VALUE', `Bad value: order_tax_amount (the sum of the lines' tax is ${sums.tax + sums.salesTax})`);
  return undefined;
}

function busy(order: MerchantOrder): boolean {
  return inFlightStates.includes(order.status) || order.steps.some((s) => mutatingStepKinds.includes(s.input.kind));
}

/** Refusal for an event the table does not allow now. */
function refuse(order: MerchantOrder, event: MerchantOrderEvent, code: 'NOT_ALLOWED' | 'CANCEL_NOT_ALLOWED' | 'CAPTURE_NOT_ALLOWED' | 'REFUND_NOT_ALLOWED' = 'NOT_ALLOWED'): Rejection {
  if (isFinal(merchantOrderMachine, order.status)) return reject(code, `The order is ${order.status}; ${event} is not possible any more`);
  if (busy(order)) return reject('MERCHANT_ORDER_BUSY', `The order is ${order.status} and a step is still running; retry ${event} shortly`);
  return reject(code, `${event} is not allowed while the order is ${order.status}`);
}

function guardFree(order: MerchantOrder, event: MerchantOrderEvent, code?: Parameters<typeof refuse>[2]): Rejection | undefined {
  if (!allows(order.status, event)) return refuse(order, event, code);
  if (busy(order)) return reject('MERCHANT_ORDER_BUSY', `A step of this order is still running; retry ${event} shortly`);
  return undefined;
}

function pendingRefunds(order: MerchantOrder): number {
  return order.refunds.filter((r) => r.status === 'PENDING').reduce((s, r) => s + r.amount, 0);
}

function rememberKey(d: Draft, clientKey: string | undefined): void {
  if (!clientKey) return;
  d.order.client_keys.push(clientKey);
  if (d.order.client_keys.length > limits.merchantClientKeysMax) d.order.client_keys.splice(0, d.order.client_keys.length - limits.merchantClientKeysMax);
}

/** Answered status checks make room for new requests (merchant-order-core.ts); operations do not. */
function requestRoom(order: MerchantOrder): Rejection | undefined {
  const kept = order.requests.filter((r) => !['check_status', 'capture_status', 'refund_status'].includes(r.kind) || r.status === 'PENDING').length;
  if (kept >= limits.merchantRequestsPerOrderMax) return reject('NOT_ALLOWED', `The order's request log is full (${limits.merchantRequestsPerOrderMax} requests)`);
  return undefined;
}

function startCapture(d: Draft, intent: Omit<CaptureIntent, 'capture_id'>, clientKey?: string): Step {
  const capture: CaptureIntent = { capture_id: d.ctx.newId(), ...intent };
  const step = d.addStep({ kind: 'capture', capture, after_update: false }, d.ctx.now, { eager: true, clientKey });
  d.order.captures.push({
    capture_id: capture.capture_id,
    request_id: step.request_id,
    amount: capture.amount,
    status: 'PENDING',
    settled: false,
    disputed: false,
    polls: 0,
    ...(capture.shipping_info ? { shipping_info: capture.shipping_info } : {}),
    ...(capture.order_lines ? { order_lines: capture.order_lines } : {}),
    ...(capture.description ? { description: capture.description } : {}),
  });
  return step;
}

/** The amount a capture (or a ship that captures) takes, checked against what is left and against its order lines. */
function captureAmount(order: MerchantOrder, requested: number | undefined, lines: readonly OrderLine[] | undefined): number | Rejection {
  const left = order.cart.order_amount - order.captured_amount - order.captures.filter((c) => c.status === 'PENDING').reduce((s, c) => s + c.amount, 0);
  const amount = requested ?? left;
  if (left <= 0) return reject('CAPTURE_NOT_ALLOWED', 'Nothing is left to capture on this order');
  if (amount < 1) return reject('BAD_VALUE', 'Bad value: captured_amount (at least 1)');
  if (amount > left) return reject('CAPTURE_NOT_ALLOWED', `Capture amount ${amount} is more than the ${left} left to capture on the order`);
  return linesMatchAmount(lines, amount, 'captured_amount', order.cart.purchase_country) ?? amount;
}

/**
 * Decides a command. A command carrying a merchant Klarna-Idempotency-Key already applied to this
 * order is a no-op (its first effect stands).
 */
export function decideCommand(order: MerchantOrder, command: MerchantCommand, ctx: DecideContext, clientKey?: string): Decision | Rejection {
  if (clientKey && order.client_keys.includes(clientKey)) return { order, events: [] };
  const d = new Draft(order, ctx);
  const o = d.order;
  const now = ctx.now;
  const room = command.type === 'notification' ? undefined : requestRoom(o);
  if (room) return room;

  switch (command.type) {
    case 'retry_checkout': {
      const no = guardFree(o, 'retry_checkout');
      if (no) return no;
      d.move('retry_checkout');
      d.addStep({ kind: 'create_session' }, now, { eager: true, clientKey });
      break;
    }

    case 'authorize': {
      if (!allows(o.status, 'authorize')) return refuse(o, 'authorize');
      if (busy(o)) return reject('MERCHANT_ORDER_BUSY', 'The Klarna session is still being created; retry shortly');
      if (!o.session || now >= o.session.expires_at_ms) return reject('NOT_ALLOWED', 'The Klarna session of this checkout has expired; start a new checkout');
      placeFromToken(d, command.authorization_token, clientKey);
      break;
    }

    case 'cancel': {
      if (o.status === 'part_captured') return reject('CANCEL_NOT_ALLOWED', 'Order has previous captures; close it to release the remaining authorization');
      const no = guardFree(o, 'cancel', 'CANCEL_NOT_ALLOWED');
      if (no) return no;
      if (o.status === 'checkout' || o.status === 'checkout_failed') {
        d.move('cancel');
        break;
      }
      o.resume_status = o.status;
      d.move('cancel');
      d.addStep({ kind: 'cancel' }, now, { eager: true, clientKey });
      break;
    }

    case 'ship': {
      const no = guardFree(o, 'ship');
      if (no) return no;
      const capture = command.capture ?? ctx.settings.capture_on_shipment;
      if (!capture && o.status !== 'ready_to_ship') return reject('BAD_VALUE', 'Bad value: capture (shipping without a capture is only possible before the first capture)');
      o.shipped = true;
      o.shipping_info.push(...command.shipping_info);
      if (!capture) {
        d.move('ship', 'without_capture', { shipping_info: command.shipping_info.length });
        if (command.shipping_info.length > 0) d.addStep({ kind: 'shipping_info', shipping_info: command.shipping_info }, now, { eager: true, clientKey });
        break;
      }
      const amount = captureAmount(o, command.captured_amount, command.order_lines);
      if (typeof amount !== 'number') return amount;
      d.move('ship', o.status === 'ready_to_ship' ? 'capture_on_shipment' : undefined, { shipping_info: command.shipping_info.length });
      startCapture(d, { amount, order_lines: command.order_lines, shipping_info: command.shipping_info, description: command.description }, clientKey);
      break;
    }

    case 'capture': {
      const no = guardFree(o, 'capture', 'CAPTURE_NOT_ALLOWED');
      if (no) return no;
      const amount = captureAmount(o, command.captured_amount, command.order_lines);
      if (typeof amount !== 'number') return amount;
      d.move('capture');
      startCapture(d, { amount, order_lines: command.order_lines, shipping_info: command.shipping_info, description: command.description }, clientKey);
      break;
    }

    case 'update_cart': {
      const no = guardFree(o, 'update_cart');
      if (no) return no;
      const bad = checkCart(command);
      if (bad) return bad;
      if (command.order_amount < o.captured_amount) return reject('NOT_ALLOWED', `order_amount may not go below the ${o.captured_amount} already captured`);
      const before = o.cart.order_amount;
      o.cart = { ...o.cart, order_amount: command.order_amount, order_tax_amount: command.order_tax_amount, order_lines: command.order_lines };
      d.move('update_cart', undefined, { order_amount_before: before, order_amount: command.order_amount });
      break;
    }

    case 'extend': {
      const no = guardFree(o, 'extend');
      if (no) return no;
      d.move('extend');
      d.addStep({ kind: 'extend', ...(o.klarna.expires_at ? { previous_expires_at: o.klarna.expires_at } : {}) }, now, { eager: true, clientKey });
      break;
    }

    case 'refund': {
      const no = guardFree(o, 'refund', 'REFUND_NOT_ALLOWED');
      if (no) return no;
      const left = o.captured_amount - o.refunded_amount - pendingRefunds(o);
      if (command.refunded_amount < 1) return reject('BAD_VALUE', 'Bad value: refunded_amount (at least 1)');
      const lines = linesMatchAmount(command.order_lines, command.refunded_amount, 'refunded_amount', o.cart.purchase_country);
      if (lines) return lines;
      if (command.refunded_amount > left) return reject('REFUND_NOT_ALLOWED', `Refund amount ${command.refunded_amount} is more than the ${left} captured and not yet refunded`);
      const refundId = ctx.newId();
      d.move('refund', undefined, { refunded_amount: command.refunded_amount });
      const step = d.addStep(
        { kind: 'refund', refund_id: refundId, amount: command.refunded_amount, ...(command.description ? { description: command.description } : {}), ...(command.order_lines ? { order_lines: command.order_lines } : {}) },
        now,
        { eager: true, clientKey },
      );
      const refund: MerchantRefund = { refund_id: refundId, request_id: step.request_id, amount: command.refunded_amount, status: 'PENDING', created_at: d.iso, ...(command.description ? { description: command.description } : {}) };
      o.refunds.push(refund);
      d.note('refund_requested', { refund_id: refundId, refunded_amount: command.refunded_amount, refund_status: multiSafepayRefundStatus(refund) });
      break;
    }

    case 'close': {
      const no = guardFree(o, 'close');
      if (no) return no;
      d.move('close');
      d.addStep({ kind: 'release' }, now, { eager: true, clientKey });
      break;
    }

    case 'check': {
      if (command.request_id && !d.request(command.request_id)) return reject('NOT_FOUND', 'No such request on this order');
      startCheck(d, command.request_id, 'manual', clientKey);
      break;
    }

    case 'notification':
      takeNotification(d, command);
      break;
  }
  rememberKey(d, clientKey);
  d.settle();
  return d.done();
}

function placeFromToken(d: Draft, token: string, clientKey?: string): void {
  const o = d.order;
  const sessionRequest = o.requests.find((r) => r.kind === 'session' && r.status === 'INITIATED');
  if (sessionRequest) d.setRequest(sessionRequest.request_id, 'COMPLETED');
  for (const s of o.steps.filter((s) => s.input.kind === 'check_status')) d.removeStep(s.id);
  o.authorization_token = token;
  d.move('authorize', 'session_open');
  d.addStep({ kind: 'place_order' }, d.ctx.now, { eager: true, clientKey });
}

/** A status check now: of the order (or its session before there is one), or of one request. */
function startCheck(d: Draft, requestId: string | undefined, reason: 'manual' | 'notification', clientKey?: string): Step {
  const now = d.ctx.now;
  if (requestId) {
    const checked = d.request(requestId)!;
    // A capture or refund is checked as such (Cybersource "check status for the capture/refund"),
    // even one the provider never made: that check answers FAILED.
    if ((checked.kind === 'capture' || checked.kind === 'capture_status') && checked.capture_id) {
      return d.addStep({ kind: 'capture_status', capture_id: checked.capture_id, reason: 'manual' }, now, { eager: true, clientKey, checksRequestId: requestId });
    }
    if ((checked.kind === 'refund' || checked.kind === 'refund_status') && checked.refund_id) {
      return d.addStep({ kind: 'refund_status', refund_id: checked.refund_id }, now, { eager: true, clientKey, checksRequestId: requestId });
    }
    return d.addStep({ kind: 'check_status', reason }, now, { eager: true, clientKey, checksRequestId: requestId });
  }
  return d.addStep({ kind: 'check_status', reason }, now, { eager: true, clientKey });
}

/**
 * A notification is a hint, never the truth: it schedules a read-back of the order (or of the
 * capture), whose outcome moves the workflow. A late or duplicate one changes nothing in a final
 * state and adds no second check while one is pending.
 */
function takeNotification(d: Draft, n: Extract<MerchantCommand, { type: 'notification' }>): void {
  const o = d.order;
  const now = d.ctx.now;
  const eventType = n.event_type ?? (n.authorization_token ? 'AUTHORIZATION' : 'UNKNOWN');
  if (d.final) {
    d.note('notification_ignored', { event_type: eventType, reason: 'final state' });
    return;
  }
  if (n.klarna_order_id && o.klarna.order_id && n.klarna_order_id !== o.klarna.order_id) {
    d.note('notification_ignored', { event_type: eventType, reason: 'another order' });
    return;
  }
  d.note('notification_received', { event_type: eventType });
  if (n.authorization_token) {
    if (o.status === 'checkout' && o.session && now < o.session.expires_at_ms && !busy(o)) placeFromToken(d, n.authorization_token);
    return;
  }
  if (/^(CAPTURE_|DISPUTE|CHARGEBACK)/.test(eventType) && n.klarna_capture_id) {
    const capture = o.captures.find((c) => c.klarna_capture_id === n.klarna_capture_id);
    if (!capture) return;
    const hint = eventType.includes('CHARGEBACK') ? 'CHARGEBACK' : eventType.includes('DISPUT') ? 'DISPUTED' : 'SETTLED';
    const existing = o.steps.find((s) => s.input.kind === 'capture_status' && s.input.capture_id === capture.capture_id);
    if (existing && existing.input.kind === 'capture_status') {
      existing.input = { ...existing.input, reason: 'notification', hint };
      if (existing.due_at > now) d.reschedule(existing, now);
      return;
    }
    d.addStep({ kind: 'capture_status', capture_id: capture.capture_id, reason: 'notification', hint }, now, { checksRequestId: capture.request_id });
    return;
  }
  if (!o.klarna.order_id) return;
  const pendingCheck = o.steps.find((s) => s.input.kind === 'check_status' && s.due_at <= now);
  if (pendingCheck) return;
  d.addStep({ kind: 'check_status', reason: 'notification' }, now);
}
