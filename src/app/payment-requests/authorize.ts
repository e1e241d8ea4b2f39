/**
 * `POST /v2/accounts/{partner_account_id}/payment/authorize` (reference §4, seed 004): the
 * acquiring partner's central call. Which path it takes depends on what it carries, in this order:
 *
 * 1. `Klarna-Network-Session-Token` or `Klarna-Payment-Token` of a COMPLETED request of this
 *    account -> APPROVED: the token is consumed (single use, 60 min) and the transaction is placed.
 *    Unknown / another account's token -> 400 INVALID_TOKEN; expired -> 400 TOKEN_EXPIRED; used ->
 *    409 TOKEN_ALREADY_USED; currency or amount different from the request -> 409 CONFLICT.
 * 2. `Klarna-Customer-Token` of an ACTIVE customer token -> decided on the token's customer without
 *    a step-up: APPROVED (transaction placed) or DECLINED.
 * 3. No token: the supplied customer is decided first (a declining persona -> DECLINED); then
 *    with `step_up_config` -> STEP_UP_REQUIRED and a new payment request in SUBMITTED; without it
 *    no customer interaction is possible -> DECLINED (CUSTOMER_INTERACTION_REQUIRED).
 */
import { KassaError } from '../../domain/errors.js';
import { decidePurchase } from '../../domain/decision/decide-purchase.js';
import type { CustomerTokenState } from '../../domain/customer-token/customer-token-state.js';
import { customerTokenType } from '../../domain/customer-token/customer-token-state.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import { paymentRequestType, tokenUsable, type CustomerInteractionConfig, type PaymentRequestState } from '../../domain/payment-request/payment-request-state.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { createPaymentRequest } from './create-payment-request.js';
import { paymentRequestLookups } from './payment-request-repo.js';
import { createPaymentTransaction } from './payment-transaction.js';
import { checkPurchase } from './purchase-input.js';
import { paymentRequestView } from './view.js';

export interface AuthorizeBody {
  currency: string;
  request_payment_transaction: { amount: number; payment_transaction_reference?: string; payment_option_id?: string };
  supplementary_purchase_data?: JsonObject;
  step_up_config?: { payment_request_reference?: string; customer_interaction_config?: CustomerInteractionConfig };
  interoperability_data?: string;
}

export interface AuthorizeHeaders {
  networkSessionToken?: string;
  paymentToken?: string;
  customerToken?: string;
  interoperabilityToken?: string;
}

export type AuthorizeResult = 'APPROVED' | 'DECLINED' | 'STEP_UP_REQUIRED';

const fields = { amount: 'request_payment_transaction.amount', currency: 'currency', supplementary: 'supplementary_purchase_data' };

export async function authorizePayment(uow: UnitOfWork, body: AuthorizeBody, headers: AuthorizeHeaders, publicUrl: string): Promise<JsonObject> {
  const amount = body.request_payment_transaction.amount;
  checkPurchase({ amount, currency: body.currency, supplementary: body.supplementary_purchase_data }, fields);
  if (headers.networkSessionToken !== undefined && headers.paymentToken !== undefined) {
    throw new KassaError('BAD_VALUE', ['Bad value: Klarna-Payment-Token (send either Klarna-Network-Session-Token or Klarna-Payment-Token, not both)']);
  }
  if (headers.networkSessionToken !== undefined) return finalize(uow, body, headers.networkSessionToken, 'Klarna-Network-Session-Token', paymentRequestLookups.networkSessionToken);
  if (headers.paymentToken !== undefined) return finalize(uow, body, headers.paymentToken, 'Klarna-Payment-Token', paymentRequestLookups.paymentToken);
  if (headers.customerToken !== undefined) return chargeCustomerToken(uow, body, headers.customerToken);

  const customer = (body.supplementary_purchase_data?.customer ?? {}) as { email?: unknown; phone?: unknown };
  const decision = decidePurchase({ email: typeof customer.email === 'string' ? customer.email : undefined, phone: typeof customer.phone === 'string' ? customer.phone : undefined });
  if (!decision.approved) return declined(decision.reason.toUpperCase());
  if (!body.step_up_config) return declined('CUSTOMER_INTERACTION_REQUIRED');

  const request = await createPaymentRequest(uow, {
    origin: 'authorize',
    amount,
    currency: body.currency,
    payment_request_reference: body.step_up_config.payment_request_reference,
    payment_option_id: body.request_payment_transaction.payment_option_id,
    supplementary_purchase_data: body.supplementary_purchase_data,
    customer_interaction_config: body.step_up_config.customer_interaction_config,
    payment_transaction_reference: body.request_payment_transaction.payment_transaction_reference,
    interoperabilityToken: headers.interoperabilityToken,
    publicUrl,
    fields: { ...fields, interaction: 'step_up_config.customer_interaction_config' },
  });
  return {
    payment_transaction_response: { result: 'STEP_UP_REQUIRED', result_reason: 'CUSTOMER_INTERACTION_REQUIRED' },
    payment_request: paymentRequestView(request),
  };
}

async function finalize(uow: UnitOfWork, body: AuthorizeBody, token: string, header: string, kind: string): Promise<JsonObject> {
  const found = await uow.findByKey(kind, token);
  const request = found && (await uow.load<PaymentRequestState>(paymentRequestType, found.id));
  if (!request || !request.tokens) throw new KassaError('PAYMENT_TOKEN_INVALID', [`Bad value: ${header} (unknown token)`]);
  const usable = tokenUsable(request, uow.now);
  if (usable === 'used') throw new KassaError('PAYMENT_TOKEN_USED', [`Bad value: ${header} (already used to authorize ${request.internal.paymentTransactionId})`]);
  if (usable === 'expired') throw new KassaError('PAYMENT_TOKEN_EXPIRED', [`Bad value: ${header} (expired at ${new Date(request.internal.tokenExpiresAtMs ?? 0).toISOString()})`]);
  if (body.currency !== request.currency) throw new KassaError('NOT_MATCHING', [`Bad value: currency (the payment request is in ${request.currency})`]);
  if (body.request_payment_transaction.amount !== request.amount) {
    throw new KassaError('NOT_MATCHING', [`Bad value: request_payment_transaction.amount (the payment request is for ${request.amount})`]);
  }
  const transaction = await createPaymentTransaction(uow, {
    amount: request.amount,
    currency: request.currency,
    payment_transaction_reference: body.request_payment_transaction.payment_transaction_reference ?? request.internal.payment_transaction_reference,
    supplementary_purchase_data: { ...request.supplementary_purchase_data, ...body.supplementary_purchase_data },
    subject: request.internal.subject,
    payment_method: request.internal.paymentMethod,
    fraud: request.internal.decision?.fraud ?? { status: 'ACCEPTED' },
    origin: { payment_request_id: request.payment_request_id },
  });
  const paymentTransactionId = String(transaction.payment_transaction_id);
  uow.put(paymentRequestType, request.payment_request_id, { ...request, internal: { ...request.internal, tokenUsedAtMs: uow.now, paymentTransactionId } });
  uow.event(paymentRequestType, request.payment_request_id, 'payment_request.token_used', { header, payment_transaction_id: paymentTransactionId });
  return { payment_transaction_response: { result: 'APPROVED', payment_transaction: transaction } };
}

async function chargeCustomerToken(uow: UnitOfWork, body: AuthorizeBody, tokenId: string): Promise<JsonObject> {
  const token = await uow.load<CustomerTokenState>(customerTokenType, tokenId);
  if (!token) throw new KassaError('PAYMENT_TOKEN_INVALID', ['Bad value: Klarna-Customer-Token (unknown customer token)']);
  if (token.status !== 'ACTIVE') return declined('CUSTOMER_TOKEN_NOT_ACTIVE');
  if (body.currency !== token.purchase_currency) throw new KassaError('BAD_VALUE', [`Bad value: currency (the customer token is for ${token.purchase_currency})`]);
  const decision = decidePurchase(token.internal.subject ?? {});
  if (!decision.approved) return declined(decision.reason.toUpperCase());
  const transaction = await createPaymentTransaction(uow, {
    amount: body.request_payment_transaction.amount,
    currency: body.currency,
    payment_transaction_reference: body.request_payment_transaction.payment_transaction_reference,
    supplementary_purchase_data: body.supplementary_purchase_data,
    subject: token.internal.subject,
    fraud: decision.fraudStatus === 'PENDING' ? { status: 'PENDING', ...decision.review } : { status: 'ACCEPTED' },
    origin: { customer_token_id: tokenId },
  });
  uow.event(customerTokenType, tokenId, 'customer_token.charged', { payment_transaction_id: transaction.payment_transaction_id, amount: body.request_payment_transaction.amount });
  return { payment_transaction_response: { result: 'APPROVED', payment_transaction: transaction } };
}

function declined(reason: string): JsonObject {
  return { payment_transaction_response: { result: 'DECLINED', result_reason: reason } };
}
