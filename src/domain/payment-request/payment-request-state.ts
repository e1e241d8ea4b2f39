/**
 * The payment request aggregate (v2 acquiring-partner API, reference §4) and its pure decisions.
 * Public fields are Klarna's payment request object, so the API view is a projection of the stored
 * state; `internal` holds what Klarna does not show (deadlines, tokens' lifetimes, the decision).
 *
 * `decide(state, event, now)` consults the transition table (payment-request-machine.ts): it returns
 * the moved state, `ignored` for a late signal on a final state (answered, recorded, not applied),
 * or a Rejection for a transition the table does not have from an open state.
 */
import { reject, type Rejection } from '../errors.js';
import { isFinal, nextState } from '../machine.js';
import type { JsonObject } from '../order/order-state.js';
import type { FraudStatus } from '../decision/decide-purchase.js';
import type { PaymentMethodCategoryId } from '../decision/payment-methods.js';
import { paymentRequestMachine, stateReasonFor, stateReasons, type PaymentRequestEvent, type PaymentRequestStatus } from './payment-request-machine.js';

export const paymentRequestType = 'payment_request';

export interface CustomerInteractionConfig {
  method?: string;
  return_url?: string;
  app_return_url?: string;
  interaction_expiry?: { duration?: string; timestamp?: string };
}

export interface PaymentRequestState {
  payment_request_id: string;
  payment_request_reference?: string;
  state: PaymentRequestStatus;
  previous_state?: PaymentRequestStatus;
  state_reason: string;
  amount: number;
  currency: string;
  payment_option_id?: string;
  supplementary_purchase_data?: JsonObject;
  customer_interaction_config: CustomerInteractionConfig;
  /** The customer-facing journey URL (fixed at creation). */
  payment_request_url: string;
  /** Set when COMPLETED. */
  tokens?: {
    payment_token: string;
    klarna_network_session_token: string;
    interoperability_token: string;
  };
  /** What the customer gave in the journey (shown as state_context.klarna_customer once COMPLETED). */
  klarna_customer?: JsonObject;
  expires_at: string;
  created_at: string;
  updated_at: string;
  internal: {
    /** 'authorize' when created by a STEP_UP_REQUIRED authorization, 'direct' from POST /v2/payment/requests. */
    origin: 'authorize' | 'direct';
    expiresAtMs: number;
    payment_transaction_reference?: string;
    /** Interoperability token the partner sent (echoed instead of a minted one). */
    interoperabilityTokenIn?: string;
    /** Set on approval: the risk decision the transaction is placed with. */
    decision?: { fraud: { status: 'ACCEPTED' } | { status: 'PENDING'; outcome: 'ACCEPTED' | 'REJECTED'; afterMinutes: number } };
    subject?: { email?: string; phone?: string };
    /** Set on approval in the purchase journey: the category and plan the customer chose (default: pay_later). */
    paymentMethod?: { category: PaymentMethodCategoryId; installments?: number };
    tokenExpiresAtMs?: number;
    /** Set when the token was used to authorize: single use. */
    tokenUsedAtMs?: number;
    paymentTransactionId?: string;
  };
}

export interface OpenPaymentRequestInput {
  id: string;
  now: number;
  expiresAtMs: number;
  origin: 'authorize' | 'direct';
  amount: number;
  currency: string;
  payment_request_reference?: string;
  payment_option_id?: string;
  supplementary_purchase_data?: JsonObject;
  customer_interaction_config?: CustomerInteractionConfig;
  payment_request_url: string;
  payment_transaction_reference?: string;
  interoperabilityTokenIn?: string;
}

export function openPaymentRequest(input: OpenPaymentRequestInput): PaymentRequestState {
  const at = new Date(input.now).toISOString();
  return {
    payment_request_id: input.id,
    payment_request_reference: input.payment_request_reference,
    state: 'SUBMITTED',
    state_reason: stateReasons.create,
    amount: input.amount,
    currency: input.currency,
    payment_option_id: input.payment_option_id,
    supplementary_purchase_data: input.supplementary_purchase_data,
    customer_interaction_config: { method: 'HANDOVER', ...input.customer_interaction_config },
    payment_request_url: input.payment_request_url,
    expires_at: new Date(input.expiresAtMs).toISOString(),
    created_at: at,
    updated_at: at,
    internal: {
      origin: input.origin,
      expiresAtMs: input.expiresAtMs,
      payment_transaction_reference: input.payment_transaction_reference,
      interoperabilityTokenIn: input.interoperabilityTokenIn,
    },
  };
}

export type Decided =
  | { kind: 'moved'; state: PaymentRequestState; from: PaymentRequestStatus; to: PaymentRequestStatus; event: PaymentRequestEvent }
  | { kind: 'ignored'; state: PaymentRequestState; event: PaymentRequestEvent };

const verbs: Record<PaymentRequestEvent, string> = {
  update: 'update',
  enter: 'enter the purchase journey of',
  approve: 'approve',
  abort: 'abort',
  decline: 'decline',
  cancel: 'cancel',
  expire: 'expire',
};

/** Applies `event` (with the guard that chose among its transitions) at `now`. */
export function decide(state: PaymentRequestState, event: PaymentRequestEvent, now: number, guard?: string): Decided | Rejection {
  if (isFinal(paymentRequestMachine, state.state)) return { kind: 'ignored', state, event };
  const to = nextState(paymentRequestMachine, state.state, event, guard);
  if (to === undefined) {
    return reject('PAYMENT_REQUEST_STATE', `Cannot ${verbs[event]} a payment request in state ${state.state} (allowed from ${allowedFrom(event).join(', ')})`);
  }
  const moved: PaymentRequestState = {
    ...state,
    state: to,
    previous_state: state.state,
    state_reason: stateReasonFor(event, to),
    updated_at: new Date(now).toISOString(),
  };
  return { kind: 'moved', state: moved, from: state.state, to, event };
}

export function allowedFrom(event: PaymentRequestEvent): PaymentRequestStatus[] {
  return [...new Set(paymentRequestMachine.transitions.filter((t) => t.event === event).map((t) => t.from))];
}

/** A partner command (update, cancel) on a final request is refused, not ignored. */
export function refuseOnFinal(decided: Decided | Rejection): Exclude<Decided, { kind: 'ignored' }> | Rejection {
  if ('kind' in decided && decided.kind === 'ignored') {
    return reject('PAYMENT_REQUEST_STATE', `Cannot ${verbs[decided.event]} a payment request in state ${decided.state.state} (allowed from ${allowedFrom(decided.event).join(', ')})`);
  }
  return decided;
}

/** True while the request may still change and its deadline has passed on the account clock. */
export function isOverdue(state: PaymentRequestState, now: number): boolean {
  return !isFinal(paymentRequestMachine, state.state) && now >= state.internal.expiresAtMs;
}

export type TokenProblem = 'expired' | 'used';

/** Whether the request's payment token can authorize a transaction now. */
export function tokenUsable(state: PaymentRequestState, now: number): true | TokenProblem {
  if (state.internal.tokenUsedAtMs !== undefined) return 'used';
  if (state.internal.tokenExpiresAtMs === undefined || now >= state.internal.tokenExpiresAtMs) return 'expired';
  return true;
}

export type { FraudStatus };
