/**
 * Creates a payment request in SUBMITTED: from an authorization that needs a step-up
 * (STEP_UP_REQUIRED) or directly (POST /v2/payment/requests). Writes the request, the lookup key
 * of its journey token (a random credential of its own, carried only by `payment_request_url`),
 * the `payment.request.state-change.submitted` webhook and the expiry timer (48 h, or what
 * `interaction_expiry` asks for within 15 min–48 h) in the caller's unit of work.
 */
import { orThrow } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import { expiryFor } from '../../domain/payment-request/interaction-expiry.js';
import { openPaymentRequest, paymentRequestType, type CustomerInteractionConfig, type PaymentRequestState } from '../../domain/payment-request/payment-request-state.js';
import { ids } from '../ids.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { publishEvent } from '../webhooks/publish.js';
import { paymentRequestLookups, scheduleExpiry } from './payment-request-repo.js';
import { checkInteractionConfig, checkPurchase } from './purchase-input.js';
import { paymentRequestView } from './view.js';

export interface CreatePaymentRequestInput {
  origin: 'authorize' | 'direct';
  amount: number;
  currency: string;
  payment_request_reference?: string;
  payment_option_id?: string;
  supplementary_purchase_data?: JsonObject;
  customer_interaction_config?: CustomerInteractionConfig;
  payment_transaction_reference?: string;
  interoperabilityToken?: string;
  /** Base URL of the journey pages (config.publicUrl). */
  publicUrl: string;
  /** Field paths for error messages: where the interaction config and purchase fields sit in the body. */
  fields: { interaction: string; amount: string; currency: string; supplementary: string };
}

/**
 * The customer's way into the shared purchase journey (docs/journey.md): the journey page of the
 * `payment-request` subject with the request's journey token in the fragment, which browsers never
 * send to a server (no access log or Referer carries it).
 */
export function journeyUrl(publicUrl: string, journeyToken: string): string {
  return `${publicUrl}/kp/v1/journey/payment-request#t=${encodeURIComponent(journeyToken)}`;
}

export async function createPaymentRequest(uow: UnitOfWork, input: CreatePaymentRequestInput): Promise<PaymentRequestState> {
  checkPurchase({ amount: input.amount, currency: input.currency, supplementary: input.supplementary_purchase_data }, input.fields);
  checkInteractionConfig(input.customer_interaction_config, input.fields.interaction);
  const expiresAtMs = orThrow(expiryFor(uow.now, input.customer_interaction_config?.interaction_expiry, `${input.fields.interaction}.interaction_expiry`));
  const id = ids.paymentRequest(uow.ctx.random);
  const journeyToken = ids.journeyToken(uow.ctx.random);
  const request = openPaymentRequest({
    id,
    now: uow.now,
    expiresAtMs,
    origin: input.origin,
    amount: input.amount,
    currency: input.currency,
    payment_request_reference: input.payment_request_reference,
    payment_option_id: input.payment_option_id,
    supplementary_purchase_data: input.supplementary_purchase_data,
    customer_interaction_config: input.customer_interaction_config,
    payment_request_url: journeyUrl(input.publicUrl, journeyToken),
    payment_transaction_reference: input.payment_transaction_reference,
    interoperabilityTokenIn: input.interoperabilityToken,
  });
  uow.put(paymentRequestType, id, request);
  uow.addLookup(paymentRequestLookups.journeyToken, journeyToken, paymentRequestType, id);
  uow.event(paymentRequestType, id, 'payment_request.create', { origin: input.origin, amount: input.amount, currency: input.currency, expires_at: request.expires_at });
  await publishEvent(uow, 'payment.request.state-change.submitted', paymentRequestView(request));
  scheduleExpiry(uow, request);
  return request;
}
