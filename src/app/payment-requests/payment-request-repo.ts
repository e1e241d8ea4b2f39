/**
 * Loading and recording payment requests inside a unit of work. Every transition goes through
 * `record`: the new state, an event-log entry, the webhook (publishEvent) and the deadline timer,
 * all in the command's one transaction. A late signal on a final request is recorded as
 * `payment_request.signal_ignored` and changes nothing else.
 * Lookup keys: the journey token (the credential in `payment_request_url`, so the purchase journey
 * finds the request and its account without merchant credentials) and the two payment tokens (so
 * authorize finds the request; lookups are global, but `uow.findByKey` only answers for the calling
 * account, which makes a token useless to anyone else).
 */
import { KassaError, isRejection, orThrow } from '../../domain/errors.js';
import { isFinal } from '../../domain/machine.js';
import { eventTypeFor, paymentRequestMachine, type PaymentRequestEvent } from '../../domain/payment-request/payment-request-machine.js';
import { decide, isOverdue, paymentRequestType, type Decided, type PaymentRequestState } from '../../domain/payment-request/payment-request-state.js';
import type { WebhookEventType } from '../../domain/webhooks/event-types.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { publishEvent } from '../webhooks/publish.js';
import { paymentRequestView } from './view.js';

export const paymentRequestLookups = {
  journeyToken: 'payment_request_journey',
  paymentToken: 'payment_token',
  networkSessionToken: 'network_session_token',
} as const;

export const paymentRequestTimerKind = 'payment-request.expire';
export const expireTimerId = (id: string): string => `payment-request:${id}:expire`;

/** Schedules (or moves) the request's expiry timer on the account clock. */
export function scheduleExpiry(uow: UnitOfWork, r: PaymentRequestState): void {
  uow.schedule({ id: expireTimerId(r.payment_request_id), dueAt: r.internal.expiresAtMs, kind: paymentRequestTimerKind, aggregateType: paymentRequestType, aggregateId: r.payment_request_id, payload: {} });
}

/**
 * Loads a request of this account or throws 404. A request whose deadline has passed on the
 * account clock but whose timer has not fired yet is expired first, so every command sees the
 * state the clock says it is in.
 */
export async function loadPaymentRequest(uow: UnitOfWork, id: string): Promise<PaymentRequestState> {
  const r = await uow.load<PaymentRequestState>(paymentRequestType, id);
  if (!r) throw new KassaError('NOT_FOUND', ['Payment request not found']);
  if (!isOverdue(r, uow.now)) return r;
  const expired = orThrow(decide(r, 'expire', uow.now));
  return record(uow, expired);
}

/** Persists a decision (moved or ignored) and returns the state to answer with. */
export async function record(uow: UnitOfWork, decided: Decided, data: Record<string, unknown> = {}): Promise<PaymentRequestState> {
  const r = decided.state;
  if (decided.kind === 'ignored') {
    uow.event(paymentRequestType, r.payment_request_id, 'payment_request.signal_ignored', { signal: decided.event, state: r.state, ...data });
    return r;
  }
  uow.put(paymentRequestType, r.payment_request_id, r);
  uow.event(paymentRequestType, r.payment_request_id, `payment_request.${decided.event}`, { from: decided.from, to: decided.to, state_reason: r.state_reason, ...data });
  await publishEvent(uow, eventTypeFor(decided.event, decided.to) as WebhookEventType, paymentRequestView(r));
  if (isFinal(paymentRequestMachine, decided.to)) uow.cancelTimer(expireTimerId(r.payment_request_id));
  return r;
}

/** Decides and records an event, throwing the rejection if the table refuses it. */
export async function apply(uow: UnitOfWork, r: PaymentRequestState, event: PaymentRequestEvent, guard?: string, data?: Record<string, unknown>): Promise<PaymentRequestState> {
  const decided = decide(r, event, uow.now, guard);
  if (isRejection(decided)) throw KassaError.from(decided);
  return record(uow, decided, data);
}
