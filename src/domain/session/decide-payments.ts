/**
 * Pure decisions of the Payments API v1: authorize a session, create an order or a customer token
 * from an authorization token, cancel an authorization. Each returns what to do or a Rejection with
 * Klarna's code (reference §1). Time is a parameter.
 */
import { authorizationMachine, type AuthorizationEvent } from '../authorization/authorization-machine.js';
import type { AuthorizationState, AuthorizationStatus } from '../authorization/authorization-state.js';
import { decidePurchase, type PurchaseDecision } from '../decision/decide-purchase.js';
import type { PaymentMethodCategoryId } from '../decision/payment-methods.js';
import { reject, type Rejection } from '../errors.js';
import { nextState } from '../machine.js';
import type { OrderLine } from '../order/order-state.js';
import { sessionMachine, type SessionEvent } from './session-machine.js';
import type { SessionState } from './session-state.js';
import type { OrderData } from './validate-order.js';

/** The session as seen at `now`: an incomplete session past its deadline counts as expired. */
export function effectiveSessionStatus(session: SessionState, now: number): SessionState['status'] {
  return session.status === 'incomplete' && now >= session.internal.expiresAtMs ? 'expired' : session.status;
}

/** Checks that `event` may happen to the session now: 404 NOT_FOUND if expired, 404 SESSION_COMPLETED if complete. */
export function sessionAllows(session: SessionState | undefined, event: SessionEvent, now: number): Rejection | undefined {
  if (!session) return reject('NOT_FOUND', 'Invalid session id');
  const status = effectiveSessionStatus(session, now);
  if (status === 'expired') return reject('NOT_FOUND', 'Invalid session id');
  if (status === 'complete') return reject('SESSION_COMPLETED', 'Session is completed');
  if (!nextState(sessionMachine, status, event)) return reject('INVALID_OPERATION', `Session cannot ${event}`);
  return undefined;
}

export interface AuthorizeInput {
  payment_method_category?: string;
  subject: { email?: string; phone?: string };
}

export type AuthorizeDecision = { category: PaymentMethodCategoryId; decision: PurchaseDecision };

export function decideAuthorize(session: SessionState | undefined, input: AuthorizeInput, now: number): AuthorizeDecision | Rejection {
  const refused = sessionAllows(session, 'authorize', now);
  if (refused) return refused;
  const offered = session!.payment_method_categories.map((c) => c.identifier);
  const category = (input.payment_method_category ?? offered[0]) as PaymentMethodCategoryId | undefined;
  if (!category || !offered.includes(category)) {
    return reject('BAD_VALUE', `Bad value: payment_method_category (offered: ${offered.join(', ') || 'none'})`);
  }
  return { category, decision: decidePurchase(input.subject) };
}

/** A token is usable when it exists, is valid, not past its 60 minutes, and is the session's current one. */
export function authorizationUsable(auth: AuthorizationState | undefined, session: SessionState | undefined, now: number): Rejection | undefined {
  if (!auth || auth.status === 'cancelled' || auth.status === 'expired' || now >= auth.expiresAtMs) return reject('NOT_FOUND', 'Invalid authorization token');
  if (!session || session.authorization_token !== auth.authorization_token) return reject('NOT_FOUND', 'Invalid authorization token');
  return undefined;
}

/** Fields of the order request that differ from what was authorized. */
export function mismatchedFields(authorized: AuthorizationState['authorized'], data: OrderData): string[] {
  const out: string[] = [];
  if (authorized.purchase_country.toUpperCase() !== data.purchase_country.toUpperCase()) out.push('purchase_country');
  if (authorized.purchase_currency.toUpperCase() !== data.purchase_currency.toUpperCase()) out.push('purchase_currency');
  if (authorized.order_amount !== data.order_amount) out.push('order_amount');
  if (authorized.order_tax_amount !== (data.order_tax_amount ?? 0)) out.push('order_tax_amount');
  const a = authorized.order_lines.map(lineKey);
  const b = data.order_lines.map(lineKey);
  if (a.length !== b.length || a.some((k, i) => k !== b[i])) out.push('order_lines');
  return out;
}

function lineKey(l: OrderLine): string {
  return JSON.stringify([l.type ?? 'physical', l.reference ?? '', l.name, l.quantity, l.unit_price, l.tax_rate ?? 0, l.total_amount, l.total_discount_amount ?? 0, l.total_tax_amount ?? 0]);
}

function nextAuthorizationStatus(auth: AuthorizationState, event: AuthorizationEvent, stillToCreate: boolean): AuthorizationStatus {
  const guard = stillToCreate ? (event === 'create_order' ? 'customer token still to create' : 'order still to create') : 'nothing else to create';
  const next = nextState(authorizationMachine, auth.status, event, guard);
  if (!next) throw new Error(`authorization ${auth.status} cannot ${event}`);
  return next;
}

export type CreateOrderDecision =
  | { kind: 'replay'; response: NonNullable<AuthorizationState['order']>['response'] }
  | { kind: 'create'; nextStatus: AuthorizationStatus; decline?: undefined };

export function decideCreateOrder(
  auth: AuthorizationState | undefined,
  session: SessionState | undefined,
  data: OrderData & { billing_address?: { email?: unknown; phone?: unknown } },
  requestHash: string,
  now: number,
): CreateOrderDecision | Rejection {
  if (auth?.order) {
    // The token already made an order: the same request gets the same answer; another body is a conflict.
    if (auth.order.requestHash === requestHash) return { kind: 'replay', response: auth.order.response };
    return reject('NOT_MATCHING', 'Order has been already completed with different request body');
  }
  const unusable = authorizationUsable(auth, session, now);
  if (unusable) return unusable;
  if (auth!.status === 'consumed') return reject('INVALID_OPERATION', 'Authorization token already consumed');
  if (auth!.intent === 'tokenize') return reject('INVALID_OPERATION', 'Not allowed to create order for intent tokenize');
  const mismatched = mismatchedFields(auth!.authorized, data);
  if (mismatched.length) return reject('NOT_MATCHING', `Not matching fields: ${mismatched.join(', ')}`);
  // The order may name the customer anew (billing address); Klarna decides again and may decline.
  const email = typeof data.billing_address?.email === 'string' ? data.billing_address.email : undefined;
  const phone = typeof data.billing_address?.phone === 'string' ? data.billing_address.phone : undefined;
  if ((email || phone) && !decidePurchase({ email, phone }).approved) return reject('REJECTED', 'The purchase was rejected');
  const stillToCreate = auth!.intent === 'buy_and_tokenize' && !auth!.customer_token_id;
  return { kind: 'create', nextStatus: nextAuthorizationStatus(auth!, 'create_order', stillToCreate) };
}

export function decideCreateCustomerToken(
  auth: AuthorizationState | undefined,
  session: SessionState | undefined,
  data: { purchase_country: string; purchase_currency: string },
  now: number,
): { nextStatus: AuthorizationStatus } | Rejection {
  if (auth?.customer_token_id) return reject('INVALID_OPERATION', 'Authorization token already consumed');
  if (!auth?.order) {
    const unusable = authorizationUsable(auth, session, now);
    if (unusable) return unusable;
  } else if (now >= auth.expiresAtMs || auth.status === 'cancelled' || auth.status === 'expired') {
    return reject('NOT_FOUND', 'Invalid authorization token');
  }
  if (auth!.intent === 'buy') return reject('INVALID_OPERATION', 'Not allowed to create customer token for intent buy');
  if (auth!.authorized.purchase_country.toUpperCase() !== data.purchase_country.toUpperCase()) return reject('NOT_MATCHING', 'Not matching fields: purchase_country');
  if (auth!.authorized.purchase_currency.toUpperCase() !== data.purchase_currency.toUpperCase()) return reject('NOT_MATCHING', 'Not matching fields: purchase_currency');
  const stillToCreate = auth!.intent === 'buy_and_tokenize' && !auth!.order;
  return { nextStatus: nextAuthorizationStatus(auth!, 'create_customer_token', stillToCreate) };
}

export function decideCancelAuthorization(auth: AuthorizationState | undefined, now: number): Rejection | undefined {
  if (!auth || auth.status === 'expired' || auth.status === 'cancelled' || now >= auth.expiresAtMs) return reject('NOT_FOUND', 'Invalid authorization token');
  if (auth.status === 'consumed') return reject('INVALID_OPERATION', 'Authorization cannot be deleted: it was already used');
  return undefined;
}
