/**
 * Authorizes a session: Klarna's risk decision on the customer (personas, reference §5), the same
 * code for the sandbox helper (POST /sandbox/v1/sessions/{id}/authorize) and the browser purchase
 * journey. Approval mints a new authorization token (valid 60 min; the previous one stops working)
 * and, when the merchant gave `merchant_urls.authorization`, sends it there server-side.
 * A decline writes only an event: the session stays open for another attempt.
 */
import { authorizationType, type AuthorizationState } from '../../domain/authorization/authorization-state.js';
import { isRejection, KassaError } from '../../domain/errors.js';
import { durations } from '../../domain/limits.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import { decideAuthorize } from '../../domain/session/decide-payments.js';
import { sessionType, type SessionState } from '../../domain/session/session-state.js';
import { ids } from '../ids.js';
import type { UnitOfWork } from '../unit-of-work.js';

export interface AuthorizeSessionInput {
  payment_method_category?: string;
  billing_address?: JsonObject;
  shipping_address?: JsonObject;
  customer?: JsonObject;
  /** The instalment plan the customer chose in the purchase journey (pay_over_time). */
  installments?: number;
}

export interface AuthorizeSessionResult {
  approved: boolean;
  show_form: boolean;
  authorization_token?: string;
  finalize_required?: boolean;
  fraud_status?: 'ACCEPTED' | 'PENDING';
}

export const authorizationTimers = { expire: (token: string) => `authorization:${token}:expire` };

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** Who is buying: the email/phone Klarna decides on (journey input, billing address, customer). */
export function purchaseSubject(input: AuthorizeSessionInput, session?: SessionState): { email?: string; phone?: string } {
  const sources = [input.customer, input.billing_address, session?.billing_address, session?.customer];
  return {
    email: sources.map((s) => text(s?.email)).find(Boolean),
    phone: sources.map((s) => text(s?.phone)).find(Boolean),
  };
}

export async function authorizeSession(uow: UnitOfWork, sessionId: string, input: AuthorizeSessionInput): Promise<AuthorizeSessionResult> {
  const session = await uow.load<SessionState>(sessionType, sessionId);
  const subject = purchaseSubject(input, session);
  const decided = decideAuthorize(session, { payment_method_category: input.payment_method_category, subject }, uow.now);
  if (isRejection(decided)) throw KassaError.from(decided);
  const { decision, category } = decided;

  if (!decision.approved) {
    uow.event(sessionType, sessionId, 'session.authorization_declined', { payment_method_category: category, reason: decision.reason });
    return { approved: false, show_form: decision.showForm };
  }

  const token = ids.authorizationToken(uow.ctx.random);
  const expiresAtMs = uow.now + durations.authorizationTokenTtlMs;
  const fraud: AuthorizationState['fraud'] =
    decision.fraudStatus === 'PENDING' ? { status: 'PENDING', outcome: decision.review.outcome, afterMinutes: decision.review.afterMinutes } : { status: 'ACCEPTED' };
  const authorization: AuthorizationState = {
    authorization_token: token,
    session_id: sessionId,
    status: 'valid',
    intent: session!.intent,
    expires_at: new Date(expiresAtMs).toISOString(),
    expiresAtMs,
    authorized: {
      purchase_country: session!.purchase_country,
      purchase_currency: session!.purchase_currency,
      locale: session!.locale,
      order_amount: session!.order_amount,
      order_tax_amount: session!.order_tax_amount,
      order_lines: session!.order_lines,
    },
    payment_method_category: category,
    ...(input.installments !== undefined ? { installments: input.installments } : {}),
    fraud,
    subject,
    billing_address: input.billing_address ?? session!.billing_address,
    shipping_address: input.shipping_address ?? session!.shipping_address,
    customer: input.customer ?? session!.customer,
  };
  const previous = session!.authorization_token;
  if (previous) uow.cancelTimer(authorizationTimers.expire(previous));
  uow.put(authorizationType, token, authorization);
  uow.put(sessionType, sessionId, {
    ...session!,
    authorization_token: token,
    billing_address: authorization.billing_address,
    shipping_address: authorization.shipping_address,
    customer: authorization.customer,
  });
  uow.event(sessionType, sessionId, 'session.authorized', { payment_method_category: category, fraud_status: fraud.status });
  uow.schedule({ id: authorizationTimers.expire(token), dueAt: expiresAtMs, kind: 'authorization.expire', aggregateType: authorizationType, aggregateId: token, payload: {} });

  const callback = session!.merchant_urls?.authorization;
  if (callback) {
    const eventId = uow.ctx.random.uuid();
    uow.enqueue({
      kind: 'notification',
      eventId,
      eventType: 'authorization',
      url: callback.replaceAll('{session.id}', sessionId),
      headers: {},
      body: JSON.stringify({ session_id: sessionId, authorization_token: token }),
      ref: sessionId,
    });
  }
  return { approved: true, show_form: true, authorization_token: token, fraud_status: fraud.status };
}

/** Timer `authorization.expire`: the token stops working 60 minutes after authorization. */
export async function expireAuthorization(uow: UnitOfWork, token: string): Promise<void> {
  const auth = await uow.load<AuthorizationState>(authorizationType, token);
  if (!auth || auth.status !== 'valid') return;
  uow.put(authorizationType, token, { ...auth, status: 'expired' });
  uow.event(sessionType, auth.session_id, 'authorization.expired');
}
