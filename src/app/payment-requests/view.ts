/**
 * The payment request as the API shows it (reference §4, seed 004 "Read Payment Request"): the
 * stored public fields plus `state_context`, which depends on the state — the customer
 * interaction (journey URL) while the request is open, the tokens and customer data once
 * COMPLETED, nothing in the other final states.
 */
import type { Json, JsonObject } from '../../domain/order/order-state.js';
import type { PaymentRequestState } from '../../domain/payment-request/payment-request-state.js';

export function stateContextOf(r: PaymentRequestState): JsonObject {
  if (r.state === 'SUBMITTED' || r.state === 'IN_PROGRESS') {
    return { customer_interaction: { method: r.customer_interaction_config.method ?? 'HANDOVER', payment_request_id: r.payment_request_id, payment_request_url: r.payment_request_url } };
  }
  if (r.state === 'COMPLETED' && r.tokens) {
    const context: JsonObject = {
      payment_token: r.tokens.payment_token,
      klarna_network_session_token: r.tokens.klarna_network_session_token,
      interoperability_token: r.tokens.interoperability_token,
    };
    if (r.klarna_customer) context.klarna_customer = r.klarna_customer;
    return context;
  }
  return {};
}

export function paymentRequestView(r: PaymentRequestState): JsonObject {
  const view: Record<string, Json | undefined> = {
    payment_request_id: r.payment_request_id,
    payment_request_reference: r.payment_request_reference,
    state: r.state,
    previous_state: r.previous_state,
    state_reason: r.state_reason,
    state_context: stateContextOf(r),
    state_expires_at: r.state === 'SUBMITTED' || r.state === 'IN_PROGRESS' ? r.expires_at : undefined,
    amount: r.amount,
    currency: r.currency,
    payment_option_id: r.payment_option_id,
    supplementary_purchase_data: r.supplementary_purchase_data,
    customer_interaction_config: r.customer_interaction_config as JsonObject,
    expires_at: r.expires_at,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
  for (const k of Object.keys(view)) if (view[k] === undefined) delete view[k];
  return view as JsonObject;
}
