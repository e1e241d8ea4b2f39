/**
 * The customer's side of a payment request: the purchase journey behind `payment_request_url`.
 * These are the application functions the shared journey pages (through the `payment-request`
 * subject, src/web/journey/payment-request-subject.ts) and the headless sandbox helper call; each
 * runs inside one unit of work and returns the `redirect_url` the browser is sent to.
 *
 * - enter:   SUBMITTED -> IN_PROGRESS (opening the journey; re-opening an IN_PROGRESS one is a no-op)
 * - approve: IN_PROGRESS -> COMPLETED when the risk decision approves (personas, decide-purchase.ts),
 *            issuing the payment token and Klarna Network session token (valid 60 min, single use);
 *            IN_PROGRESS -> DECLINED when it declines
 * - abort:   IN_PROGRESS -> SUBMITTED (the customer backs out; the partner may update or cancel)
 * - decline: IN_PROGRESS -> DECLINED (forced decline)
 *
 * A signal on a final request (late approve after a cancel, a double click) is answered with the
 * request's current state, recorded as ignored, and changes nothing. A signal the table does not
 * allow from an open state (approve while SUBMITTED) is refused with 409 INVALID_STATE.
 * After approve/abort/decline the browser goes to `return_url` with its placeholders filled in
 * (return-url.ts); without a return_url `redirect_url` is `payment_request_url` (the journey
 * subject leaves it out, so the page ends on "All done"). On approval the customer's category and
 * plan (`choice`) are kept for the transaction's payment method.
 */
import { KassaError, isRejection } from '../../domain/errors.js';
import { decidePurchase } from '../../domain/decision/decide-purchase.js';
import type { PaymentMethodCategoryId } from '../../domain/decision/payment-methods.js';
import { durations } from '../../domain/limits.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import { guards } from '../../domain/payment-request/payment-request-machine.js';
import { decide, paymentRequestType, type PaymentRequestState } from '../../domain/payment-request/payment-request-state.js';
import { substituteReturnUrl } from '../../domain/payment-request/return-url.js';
import { ids } from '../ids.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { loadPaymentRequest, paymentRequestLookups, record } from './payment-request-repo.js';

export type JourneyAction = 'enter' | 'approve' | 'abort' | 'decline';
export const journeyActions: readonly JourneyAction[] = ['enter', 'approve', 'abort', 'decline'];

export interface JourneyCustomer {
  email?: string;
  phone?: string;
  given_name?: string;
  family_name?: string;
}

/** How the customer chose to pay in the purchase journey (the headless helper leaves it out: pay_later). */
export interface JourneyPaymentChoice {
  category: PaymentMethodCategoryId;
  installments?: number;
}

export interface JourneyOutcome {
  request: PaymentRequestState;
  /** Where the browser goes next; null when it stays on the journey page (enter). */
  redirect_url: string | null;
  /** True when the request was already final and the signal changed nothing. */
  ignored: boolean;
}

/** The return_url with every placeholder filled in, or the journey page when there is none. */
export function redirectUrlFor(r: PaymentRequestState): string {
  const template = r.customer_interaction_config.return_url;
  if (!template) return r.payment_request_url;
  return substituteReturnUrl(template, {
    id: r.payment_request_id,
    state: r.state,
    payment_token: r.tokens?.payment_token,
    klarna_network_session_token: r.tokens?.klarna_network_session_token,
    interoperability_token: r.tokens?.interoperability_token,
    payment_request_reference: r.payment_request_reference,
  });
}

export async function enterJourney(uow: UnitOfWork, id: string): Promise<JourneyOutcome> {
  const current = await loadPaymentRequest(uow, id);
  if (current.state === 'IN_PROGRESS') return { request: current, redirect_url: null, ignored: false };
  return signal(uow, current, 'enter', null);
}

export async function approveJourney(uow: UnitOfWork, id: string, customer: JourneyCustomer = {}, choice?: JourneyPaymentChoice): Promise<JourneyOutcome> {
  const current = await loadPaymentRequest(uow, id);
  const given = customerOf(current, customer);
  const decision = decidePurchase({ email: given.email, phone: given.phone });
  const decided = decide(current, 'approve', uow.now, decision.approved ? guards.approved : guards.declined);
  if (isRejection(decided)) throw KassaError.from(decided);
  if (decided.kind === 'ignored') return outcome(await record(uow, decided), true);
  if (!decision.approved) {
    const declined = { ...decided.state, klarna_customer: profileOf(given) };
    return outcome(await record(uow, { ...decided, state: declined }, { reason: decision.reason }), false);
  }
  const tokens = {
    payment_token: ids.paymentToken(uow.ctx.random),
    klarna_network_session_token: `krn:network:eu1:session-token:${uow.ctx.random.uuid()}`,
    interoperability_token: current.internal.interoperabilityTokenIn ?? `krn:network:eu1:interoperability-token:${uow.ctx.random.uuid()}`,
  };
  const completed: PaymentRequestState = {
    ...decided.state,
    tokens,
    klarna_customer: profileOf(given),
    internal: {
      ...decided.state.internal,
      subject: { email: given.email, phone: given.phone },
      ...(choice ? { paymentMethod: choice.installments === undefined ? { category: choice.category } : { category: choice.category, installments: choice.installments } } : {}),
      decision: { fraud: decision.fraudStatus === 'PENDING' ? { status: 'PENDING', ...decision.review } : { status: 'ACCEPTED' } },
      tokenExpiresAtMs: uow.now + durations.paymentTokenTtlMs,
    },
  };
  uow.addLookup(paymentRequestLookups.paymentToken, tokens.payment_token, paymentRequestType, id);
  uow.addLookup(paymentRequestLookups.networkSessionToken, tokens.klarna_network_session_token, paymentRequestType, id);
  return outcome(await record(uow, { ...decided, state: completed }, { fraud_status: decision.fraudStatus }), false);
}

export async function abortJourney(uow: UnitOfWork, id: string): Promise<JourneyOutcome> {
  return signal(uow, await loadPaymentRequest(uow, id), 'abort');
}

export async function declineJourney(uow: UnitOfWork, id: string): Promise<JourneyOutcome> {
  return signal(uow, await loadPaymentRequest(uow, id), 'decline');
}

export async function runJourneyAction(uow: UnitOfWork, id: string, action: JourneyAction, customer?: JourneyCustomer): Promise<JourneyOutcome> {
  switch (action) {
    case 'enter':
      return enterJourney(uow, id);
    case 'approve':
      return approveJourney(uow, id, customer);
    case 'abort':
      return abortJourney(uow, id);
    case 'decline':
      return declineJourney(uow, id);
  }
}

async function signal(uow: UnitOfWork, current: PaymentRequestState, event: 'enter' | 'abort' | 'decline', redirect?: null): Promise<JourneyOutcome> {
  const decided = decide(current, event, uow.now);
  if (isRejection(decided)) throw KassaError.from(decided);
  const r = await record(uow, decided);
  const ignored = decided.kind === 'ignored';
  return { request: r, redirect_url: redirect === null && !ignored ? null : redirectUrlFor(r), ignored };
}

function outcome(r: PaymentRequestState, ignored: boolean): JourneyOutcome {
  return { request: r, redirect_url: redirectUrlFor(r), ignored };
}

/** The customer data the journey collected, falling back to what the partner supplied. */
function customerOf(r: PaymentRequestState, given: JourneyCustomer): JourneyCustomer {
  const supplied = (r.supplementary_purchase_data?.customer ?? {}) as JsonObject;
  const pick = (k: keyof JourneyCustomer): string | undefined => given[k] ?? (typeof supplied[k] === 'string' ? (supplied[k] as string) : undefined);
  return { email: pick('email'), phone: pick('phone'), given_name: pick('given_name'), family_name: pick('family_name') };
}

function profileOf(c: JourneyCustomer): JsonObject {
  const profile: JsonObject = {};
  for (const [k, v] of Object.entries(c)) if (typeof v === 'string' && v !== '') profile[k] = v;
  return { customer_profile: profile };
}
