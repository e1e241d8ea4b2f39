/**
 * Runs the outbound part of one merchant step against the provider and reduces what happened to a
 * StepOutcome for the pure decide function. It runs outside any transaction (the step's intent is
 * already durable as its timer row) and is safe to run again: mutating calls carry the step id as
 * `Klarna-Idempotency-Key`, and when the previous attempt's outcome was unknown the order is read
 * back first, so a capture, refund or cancel that did happen is recognised (captures and refunds
 * carry the step id as their `reference`) instead of being sent twice.
 */
import type { OkData, ProviderOrderSnapshot, StepOutcome } from '../../domain/merchant-order/decide-outcome.js';
import type { MerchantOrder, Step } from '../../domain/merchant-order/merchant-order-state.js';
import type { CallResult, KlarnaClient } from './klarna-client.js';

export interface PerformContext {
  /** merchant_urls.notification for this order (a /merchant/v1/notifications/... URL of Kassa). */
  notificationUrl: string;
}

export async function performStep(client: KlarnaClient, order: MerchantOrder, step: Step, ctx: PerformContext): Promise<StepOutcome> {
  const key = step.id;
  const input = step.input;
  const klarnaOrderId = order.klarna.order_id;
  switch (input.kind) {
    case 'create_session':
      return settle(await client.createSession(sessionBody(order, ctx), key), (data) => data);

    case 'place_order': {
      if (!order.authorization_token) return { kind: 'rejected', error_code: 'NO_AUTHORIZATION_TOKEN', error_messages: ['No authorization token is held for this order'] };
      // Nothing to read back before there is an order id: the same idempotency key makes the
      // provider answer a repeat with the first response.
      return settle(await client.createOrder(order.authorization_token, orderBody(order, ctx), key), (data) => data);
    }

    case 'check_status': {
      if (klarnaOrderId) return settle(await client.readOrder(klarnaOrderId), (snapshot) => ({ order: snapshot }));
      if (!order.session) return { kind: 'rejected', error_code: 'NOTHING_TO_CHECK', error_messages: ['No Klarna session or order yet'] };
      const read = await client.readSession(order.session.session_id);
      if (read.kind === 'rejected' && read.status === 404) return { kind: 'ok', http_status: 404, correlation_id: read.correlationId, data: { session_status: 'gone' } };
      return settle(read, (s) => ({ session_status: s.status === 'complete' ? 'complete' : 'incomplete', ...(s.expires_at_ms ? { session_expires_at_ms: s.expires_at_ms } : {}) }));
    }

    case 'cancel': {
      if (!klarnaOrderId) return noOrder();
      const done = step.unknown && (await alreadyDone(client, klarnaOrderId, (o) => (o.status === 'CANCELLED' ? {} : undefined)));
      if (done) return done;
      return withReadBack(client, klarnaOrderId, await client.cancelOrder(klarnaOrderId, key), () => ({}));
    }

    case 'capture': {
      if (!klarnaOrderId) return noOrder();
      const done =
        step.unknown &&
        (await alreadyDone(client, klarnaOrderId, (o) => {
          const found = o.captures.find((c) => c.reference === key);
          return found ? { capture_id: found.capture_id } : undefined;
        }));
      if (done) return done;
      const c = input.capture;
      const body = {
        captured_amount: c.amount,
        reference: key,
        ...(c.description ? { description: c.description } : {}),
        ...(c.order_lines ? { order_lines: c.order_lines } : {}),
        ...(c.shipping_info && c.shipping_info.length > 0 ? { shipping_info: c.shipping_info } : {}),
      };
      return withReadBack(client, klarnaOrderId, await client.capture(klarnaOrderId, body, key), (data) => data);
    }

    case 'update_authorization': {
      if (!klarnaOrderId) return noOrder();
      const done = step.unknown && (await alreadyDone(client, klarnaOrderId, (o) => (o.order_amount === input.order_amount ? {} : undefined)));
      if (done) return done;
      const body = { order_amount: input.order_amount, order_lines: order.cart.order_lines, description: 'Order updated by the merchant' };
      return withReadBack(client, klarnaOrderId, await client.updateAuthorization(klarnaOrderId, body, key), () => ({}));
    }

    case 'refund': {
      if (!klarnaOrderId) return noOrder();
      const done =
        step.unknown &&
        (await alreadyDone(client, klarnaOrderId, (o) => {
          const found = o.refunds.find((r) => r.reference === key);
          return found ? { refund_id: found.refund_id } : undefined;
        }));
      if (done) return done;
      const body = {
        refunded_amount: input.amount,
        reference: key,
        ...(input.description ? { description: input.description } : {}),
        ...(input.order_lines ? { order_lines: input.order_lines } : {}),
      };
      return settle(await client.refund(klarnaOrderId, body, key), (data) => data);
    }

    case 'extend': {
      if (!klarnaOrderId) return noOrder();
      const called = await client.extendAuthorization(klarnaOrderId, key);
      if (called.kind !== 'ok') return settle(called, () => ({}));
      // The new deadline is only on the order: read it back (a failed read is still a done extension).
      const back = await client.readOrder(klarnaOrderId);
      return { kind: 'ok', http_status: called.status, correlation_id: called.correlationId, data: back.kind === 'ok' ? { order: back.data } : {} };
    }

    case 'shipping_info':
      if (!klarnaOrderId) return noOrder();
      return settle(await client.addShippingInfo(klarnaOrderId, { shipping_info: input.shipping_info }, key), () => ({}));

    case 'release': {
      if (!klarnaOrderId) return noOrder();
      const done = step.unknown && (await alreadyDone(client, klarnaOrderId, (o) => (o.remaining_authorized_amount === 0 ? {} : undefined)));
      if (done) return done;
      return withReadBack(client, klarnaOrderId, await client.releaseRemaining(klarnaOrderId, key), () => ({}));
    }

    case 'capture_status': {
      const capture = order.captures.find((c) => c.capture_id === input.capture_id);
      if (!klarnaOrderId || !capture?.klarna_capture_id) return { kind: 'rejected', error_code: 'NO_SUCH_CAPTURE', error_messages: ['The capture was never made at the provider'] };
      const read = await client.readCapture(klarnaOrderId, capture.klarna_capture_id);
      if (read.kind !== 'ok') return settle(read, () => ({}));
      const settlement = await client.readSettlement(klarnaOrderId, capture.klarna_capture_id);
      const status = settlement.kind === 'ok' ? settlement.data.status : '';
      const known = status === 'PENDING' || status === 'SETTLED' || status === 'DISPUTED' || status === 'CHARGEBACK' ? status : undefined;
      return { kind: 'ok', http_status: read.status, correlation_id: read.correlationId, data: known ? { settlement: known } : {} };
    }

    case 'refund_status': {
      const refund = order.refunds.find((r) => r.refund_id === input.refund_id);
      if (!klarnaOrderId || !refund?.klarna_refund_id) return { kind: 'rejected', error_code: 'NOT_FOUND', error_messages: ['The refund was never made at the provider'] };
      return settle(await client.readRefund(klarnaOrderId, refund.klarna_refund_id), () => ({}));
    }

    case 'book_funds':
      return { kind: 'ok', data: {} };
  }
}

/** The cart as Payments v1 wants it; the session also carries the customer (create-order does not take one). */
function cartBody(order: MerchantOrder, ctx: PerformContext, withCustomer: boolean): Record<string, unknown> {
  const { confirmation_url: _confirmation, customer, ...cart } = order.cart;
  return { ...cart, ...(withCustomer && customer ? { customer } : {}), merchant_urls: merchantUrls(order, ctx) };
}

const sessionBody = (order: MerchantOrder, ctx: PerformContext) => cartBody(order, ctx, true);
const orderBody = (order: MerchantOrder, ctx: PerformContext) => cartBody(order, ctx, false);

function merchantUrls(order: MerchantOrder, ctx: PerformContext): Record<string, string> {
  return { notification: ctx.notificationUrl, ...(order.cart.confirmation_url ? { confirmation: order.cart.confirmation_url } : {}) };
}

function settle<T>(result: CallResult<T>, ok: (data: T) => OkData): StepOutcome {
  if (result.kind === 'ok') return { kind: 'ok', http_status: result.status, correlation_id: result.correlationId, data: ok(result.data) };
  if (result.kind === 'rejected') return { kind: 'rejected', http_status: result.status, error_code: result.errorCode, error_messages: result.errorMessages, correlation_id: result.correlationId };
  return unknown(result);
}

function unknown(result: Extract<CallResult<unknown>, { kind: 'unknown' }>): StepOutcome {
  return { kind: 'unknown', reason: result.reason, http_status: result.status, correlation_id: result.correlationId };
}

/**
 * A step whose last attempt has an unknown outcome reads the order back first: when `effect` finds
 * the step's effect on it, the step is done without a second call; an unreadable order stays
 * unknown; otherwise (undefined) the call is made again (same idempotency key).
 */
async function alreadyDone(client: KlarnaClient, orderId: string, effect: (order: ProviderOrderSnapshot) => OkData | undefined): Promise<StepOutcome | undefined> {
  const back = await client.readOrder(orderId);
  if (back.kind === 'unknown') return unknown(back);
  if (back.kind !== 'ok') return undefined;
  const found = effect(back.data);
  return found ? { kind: 'ok', data: { ...found, order: back.data, resolved_by_read_back: true } } : undefined;
}

function noOrder(): StepOutcome {
  return { kind: 'rejected', error_code: 'NO_KLARNA_ORDER', error_messages: ['No Klarna order was placed for this merchant order'] };
}

/** A refusal is explained by the order's state: read it back so the workflow can choose. */
async function withReadBack<T>(client: KlarnaClient, orderId: string, result: CallResult<T>, ok: (data: T) => OkData): Promise<StepOutcome> {
  if (result.kind !== 'rejected') return settle(result, ok);
  const back = await client.readOrder(orderId);
  const outcome = settle(result, ok);
  if (outcome.kind === 'rejected' && back.kind === 'ok') return { ...outcome, read_back: back.data };
  return outcome;
}
