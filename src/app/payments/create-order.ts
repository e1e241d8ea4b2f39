/**
 * POST /payments/v1/authorizations/{token}/order: turns an authorization into an order. The order
 * data must match what was authorized (409 BAD_VALUE "Not matching fields"); a repeat with the
 * same body answers the same order; a declined customer gives 403 REJECTED. In one transaction:
 * the order (via placeOrder), the consumed authorization, the completed session.
 */
import { createHash } from 'node:crypto';
import { authorizationType, type AuthorizationState } from '../../domain/authorization/authorization-state.js';
import { authorizedPaymentMethod } from '../../domain/decision/payment-methods.js';
import { isRejection, KassaError, throwIfRejected } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import { decideCreateOrder } from '../../domain/session/decide-payments.js';
import { sessionType, type SessionState } from '../../domain/session/session-state.js';
import { validateOrderData } from '../../domain/session/validate-order.js';
import type { CreateOrderBody } from '../../http/schemas/order-data.js';
import { ids } from '../ids.js';
import { placeOrder } from '../orders/place-order.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { authorizationTimers } from './authorize-session.js';
import { afterOrderPlaced } from './order-hooks.js';

export function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** Replaces Klarna's URL placeholders. */
export function fillPlaceholders(url: string, values: { sessionId?: string; orderId?: string }): string {
  let out = url;
  if (values.sessionId) out = out.replaceAll('{session.id}', encodeURIComponent(values.sessionId));
  if (values.orderId) out = out.replaceAll('{order.id}', encodeURIComponent(values.orderId));
  return out;
}

export async function createOrderFromAuthorization(uow: UnitOfWork, publicUrl: string, token: string, body: CreateOrderBody): Promise<JsonObject> {
  const data = { ...body, purchase_country: body.purchase_country.toUpperCase(), purchase_currency: body.purchase_currency.toUpperCase() };
  throwIfRejected(validateOrderData(data));
  const auth = await uow.load<AuthorizationState>(authorizationType, token);
  const session = auth ? await uow.load<SessionState>(sessionType, auth.session_id) : undefined;
  const hash = requestHash(body);
  const decided = decideCreateOrder(auth, session, data, hash, uow.now);
  if (isRejection(decided)) throw KassaError.from(decided);
  if (decided.kind === 'replay') return decided.response;

  const orderId = ids.order(uow.ctx.random);
  const method = authorizedPaymentMethod(auth!.payment_method_category, data.order_amount, auth!.installments);
  const merchantUrls = { ...session!.merchant_urls, ...body.merchant_urls };
  const order = placeOrder(uow, {
    orderId,
    klarnaReference: ids.klarnaReference(uow.ctx.random),
    purchase_country: data.purchase_country,
    purchase_currency: data.purchase_currency,
    locale: body.locale ?? auth!.authorized.locale,
    order_amount: data.order_amount,
    order_tax_amount: data.order_tax_amount ?? 0,
    order_lines: data.order_lines,
    merchant_reference1: body.merchant_reference1 ?? session!.merchant_reference1,
    merchant_reference2: body.merchant_reference2 ?? session!.merchant_reference2,
    merchant_data: body.merchant_data ?? session!.merchant_data,
    merchant_urls: merchantUrls,
    billing_address: (body.billing_address as JsonObject | undefined) ?? auth!.billing_address,
    shipping_address: (body.shipping_address as JsonObject | undefined) ?? auth!.shipping_address,
    customer: (body.customer as JsonObject | undefined) ?? auth!.customer,
    initial_payment_method: method.initial,
    fraud: auth!.fraud,
    source: 'payments',
    sourceId: session!.session_id,
    subject: auth!.subject,
  });

  const response: JsonObject = {
    order_id: orderId,
    ...(merchantUrls.confirmation ? { redirect_url: `${publicUrl}/payments/v1/redirect/${encodeURIComponent(orderId)}` } : {}),
    fraud_status: order.fraud_status,
    authorized_payment_method: method.authorized,
  };
  uow.addLookup('order', orderId, 'order', orderId);
  uow.put(authorizationType, token, { ...auth!, status: decided.nextStatus, order: { order_id: orderId, requestHash: hash, response } });
  if (decided.nextStatus !== 'valid') uow.cancelTimer(authorizationTimers.expire(token));
  uow.put(sessionType, session!.session_id, { ...session!, status: 'complete', order_id: orderId });
  uow.event(sessionType, session!.session_id, 'session.completed', { order_id: orderId });
  await afterOrderPlaced(uow, order, { autoCapture: body.auto_capture === true });
  return response;
}
