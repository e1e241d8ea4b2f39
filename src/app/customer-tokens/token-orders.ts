/**
 * Customer Token API v1 commands (reference §3): place an order by charging a customer token, and
 * cancel a token. The token is looked up among the calling account's objects only (another
 * account's token is 404 NOT_FOUND "Invalid customer-token ID"). An order is validated like any
 * order (validateOrderData, in the token's purchase country), decided again on the token's
 * subject, placed through placeOrder (source 'customer_token'), and auto-captured when asked —
 * all in one unit of work. The token is written back with each charge, so a cancel that races a
 * charge is serialised by its version check: no order is placed from a token already cancelled.
 */
import { authorizedPaymentMethod } from '../../domain/decision/payment-methods.js';
import { customerTokenType, type CustomerTokenState } from '../../domain/customer-token/customer-token-state.js';
import { decideTokenCancel, decideTokenCharge, decideTokenSandboxStatus } from '../../domain/customer-token/decide-customer-token.js';
import { KassaError, orThrow, throwIfRejected } from '../../domain/errors.js';
import type { JsonObject, OrderLine, OrderState } from '../../domain/order/order-state.js';
import { validateOrderData } from '../../domain/session/validate-order.js';
import { ids } from '../ids.js';
import { placeOrder } from '../orders/place-order.js';
import { afterOrderPlaced } from '../payments/order-hooks.js';
import type { UnitOfWork } from '../unit-of-work.js';

export interface TokenOrderInput {
  purchase_currency: string;
  purchase_country?: string;
  locale?: string;
  order_amount: number;
  order_tax_amount: number;
  order_lines: OrderLine[];
  auto_capture?: boolean;
  merchant_reference1?: string;
  merchant_reference2?: string;
  merchant_data?: string;
  merchant_urls?: { confirmation?: string; notification?: string; push?: string };
  shipping_address?: JsonObject;
  billing_address?: JsonObject;
}

export async function loadCustomerToken(uow: UnitOfWork, tokenId: string): Promise<CustomerTokenState> {
  const token = await uow.load<CustomerTokenState>(customerTokenType, tokenId);
  if (!token) throw new KassaError('NOT_FOUND', ['Invalid customer-token ID']);
  return token;
}

const paymentMethodDescriptions: Record<string, string> = { INVOICE: 'Pay later in 30 days', CARD: 'Card', DIRECT_DEBIT: 'Direct debit' };

/** What the token charges, as Payments v1 reports it (`authorized_payment_method`) and OM shows it. */
function tokenPaymentMethod(token: CustomerTokenState, amount: number): { authorized: JsonObject; initial: OrderState['initial_payment_method'] } {
  const type = token.payment_method_type.toUpperCase();
  if (type === 'INVOICE') {
    const m = authorizedPaymentMethod('pay_later', amount);
    return { authorized: m.authorized as JsonObject, initial: m.initial };
  }
  return { authorized: { type: type.toLowerCase() }, initial: { type, description: paymentMethodDescriptions[type] ?? type } };
}

export async function placeTokenOrder(uow: UnitOfWork, publicUrl: string, tokenId: string, body: TokenOrderInput): Promise<JsonObject> {
  const token = await loadCustomerToken(uow, tokenId);
  const country = (body.purchase_country ?? token.purchase_country).toUpperCase();
  const currency = body.purchase_currency.toUpperCase();
  if (country !== token.purchase_country) throw new KassaError('BAD_VALUE', [`Bad value: purchase_country (the customer token is for ${token.purchase_country})`]);
  if (currency !== token.purchase_currency) throw new KassaError('BAD_VALUE', [`Bad value: purchase_currency (the customer token charges ${token.purchase_currency})`]);
  const locale = body.locale ?? token.locale;
  throwIfRejected(validateOrderData({ purchase_country: country, purchase_currency: currency, locale, order_amount: body.order_amount, order_tax_amount: body.order_tax_amount, order_lines: body.order_lines }));
  const decision = orThrow(decideTokenCharge(token));

  const orderId = ids.order(uow.ctx.random);
  const method = tokenPaymentMethod(token, body.order_amount);
  const order = placeOrder(uow, {
    orderId,
    klarnaReference: ids.klarnaReference(uow.ctx.random),
    purchase_country: country,
    purchase_currency: currency,
    locale,
    order_amount: body.order_amount,
    order_tax_amount: body.order_tax_amount,
    order_lines: body.order_lines,
    merchant_reference1: body.merchant_reference1,
    merchant_reference2: body.merchant_reference2,
    merchant_data: body.merchant_data,
    merchant_urls: body.merchant_urls,
    billing_address: body.billing_address ?? token.billing_address,
    shipping_address: body.shipping_address,
    customer: token.customer,
    initial_payment_method: method.initial,
    fraud: decision.fraudStatus === 'PENDING' ? { status: 'PENDING', ...decision.review } : { status: 'ACCEPTED' },
    source: 'customer_token',
    sourceId: token.token_id,
    subject: token.internal.subject,
  });
  uow.addLookup('order', orderId, 'order', orderId);
  // Written back (unchanged) so a concurrent cancel and this charge cannot both commit.
  uow.put(customerTokenType, token.token_id, token);
  uow.event(customerTokenType, token.token_id, 'customer_token.charged', { order_id: orderId, order_amount: body.order_amount });
  await afterOrderPlaced(uow, order, { autoCapture: body.auto_capture === true });

  return {
    order_id: orderId,
    fraud_status: order.fraud_status,
    ...(body.merchant_urls?.confirmation ? { redirect_url: `${publicUrl}/payments/v1/redirect/${encodeURIComponent(orderId)}` } : {}),
    authorized_payment_method: method.authorized,
  };
}

export async function cancelCustomerToken(uow: UnitOfWork, tokenId: string): Promise<void> {
  const token = await loadCustomerToken(uow, tokenId);
  const decided = orThrow(decideTokenCancel(token));
  if (!decided.changed) return;
  uow.put(customerTokenType, token.token_id, decided.token);
  uow.event(customerTokenType, token.token_id, 'customer_token.cancelled', { from: token.status });
}

/** Sandbox helper: suspend or resume a token. */
export async function setSandboxTokenStatus(uow: UnitOfWork, tokenId: string, status: 'ACTIVE' | 'SUSPENDED'): Promise<CustomerTokenState> {
  const token = await loadCustomerToken(uow, tokenId);
  const decided = orThrow(decideTokenSandboxStatus(token, status));
  if (!decided.changed) return token;
  uow.put(customerTokenType, token.token_id, decided.token);
  uow.event(customerTokenType, token.token_id, status === 'SUSPENDED' ? 'customer_token.suspended' : 'customer_token.resumed', { from: token.status });
  return decided.token;
}

/** GET view (reference §3): status and payment method details. */
export function customerTokenView(token: CustomerTokenState): Pick<CustomerTokenState, 'status' | 'payment_method_type' | 'card' | 'direct_debit'> {
  return {
    status: token.status,
    payment_method_type: token.payment_method_type,
    ...(token.card ? { card: token.card } : {}),
    ...(token.direct_debit ? { direct_debit: token.direct_debit } : {}),
  };
}
