/**
 * POST /payments/v1/authorizations/{token}/customer-token: a customer token for recurring orders,
 * allowed for intent `tokenize` and `buy_and_tokenize` (403 INVALID_OPERATION for `buy`).
 * For `tokenize` the session completes here; for `buy_and_tokenize` the order completes it.
 */
import { authorizationType, type AuthorizationState } from '../../domain/authorization/authorization-state.js';
import { customerTokenType, type CustomerTokenState } from '../../domain/customer-token/customer-token-state.js';
import { isRejection, KassaError, throwIfRejected } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import { decideCreateCustomerToken } from '../../domain/session/decide-payments.js';
import { sessionType, type SessionState } from '../../domain/session/session-state.js';
import { validateMarket } from '../../domain/session/validate-order.js';
import type { CustomerTokenBody } from '../../http/schemas/order-data.js';
import { ids } from '../ids.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { authorizationTimers } from './authorize-session.js';

const paymentMethodTypes: Record<string, string> = { pay_later: 'INVOICE', pay_now: 'DIRECT_DEBIT', pay_over_time: 'CARD' };

export async function createCustomerToken(uow: UnitOfWork, publicUrl: string, token: string, body: CustomerTokenBody): Promise<JsonObject> {
  throwIfRejected(validateMarket(body.purchase_country, body.purchase_currency, body.locale));
  const auth = await uow.load<AuthorizationState>(authorizationType, token);
  const session = auth ? await uow.load<SessionState>(sessionType, auth.session_id) : undefined;
  const decided = decideCreateCustomerToken(auth, session, body, uow.now);
  if (isRejection(decided)) throw KassaError.from(decided);

  const tokenId = ids.customerToken(uow.ctx.random);
  const type = paymentMethodTypes[auth!.payment_method_category] ?? 'INVOICE';
  const billing = (body.billing_address as JsonObject | undefined) ?? auth!.billing_address;
  const customer = (body.customer as JsonObject | undefined) ?? auth!.customer;
  const state: CustomerTokenState = {
    token_id: tokenId,
    status: 'ACTIVE',
    payment_method_type: type,
    ...(type === 'CARD' ? { card: { brand: 'VISA', expiry_date: '12/30', masked_number: '************1111' } } : {}),
    ...(type === 'DIRECT_DEBIT' ? { direct_debit: { masked_number: '**************1234' } } : {}),
    description: body.description,
    intended_use: body.intended_use,
    locale: body.locale,
    purchase_country: body.purchase_country.toUpperCase(),
    purchase_currency: body.purchase_currency.toUpperCase(),
    billing_address: billing,
    customer,
    created_at: new Date(uow.now).toISOString(),
    internal: { sessionId: auth!.session_id, subject: auth!.subject, paymentMethodCategory: auth!.payment_method_category },
  };
  uow.put(customerTokenType, tokenId, state);
  uow.addLookup('customer_token', tokenId, customerTokenType, tokenId);
  uow.event(customerTokenType, tokenId, 'customer_token.created', { session_id: auth!.session_id, payment_method_type: type });
  uow.put(authorizationType, token, { ...auth!, status: decided.nextStatus, customer_token_id: tokenId });
  if (decided.nextStatus !== 'valid') uow.cancelTimer(authorizationTimers.expire(token));
  if (session) {
    const completes = auth!.intent === 'tokenize' && session.status === 'incomplete';
    uow.put(sessionType, session.session_id, { ...session, customer_token_id: tokenId, ...(completes ? { status: 'complete' } : {}) });
    if (completes) uow.event(sessionType, session.session_id, 'session.completed', { customer_token_id: tokenId });
  }
  return {
    token_id: tokenId,
    redirect_url: `${publicUrl}/payments/v1/redirect/token/${encodeURIComponent(tokenId)}`,
    payment_method_reference: `pmr-${tokenId.slice(0, 8)}`,
    ...(billing ? { billing_address: billing } : {}),
    customer: { date_of_birth: typeof customer?.date_of_birth === 'string' ? customer.date_of_birth : undefined, gender: typeof customer?.gender === 'string' ? customer.gender : undefined } as JsonObject,
  };
}
