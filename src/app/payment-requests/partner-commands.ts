/**
 * What the acquiring partner (and the clock) can do to a payment request: update it while it is
 * SUBMITTED (`payment.request.updated`), cancel it while SUBMITTED or IN_PROGRESS, and let it
 * expire. A partner command the table does not allow — including any on a final request — is
 * refused with 409 INVALID_STATE and writes nothing; the expiry timer on a request that already
 * reached a final state is recorded and ignored.
 */
import { KassaError, isRejection, orThrow } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import { expiryFor } from '../../domain/payment-request/interaction-expiry.js';
import { decide, paymentRequestType, refuseOnFinal, type CustomerInteractionConfig, type PaymentRequestState } from '../../domain/payment-request/payment-request-state.js';
import type { TimerRecord } from '../../store/port.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { loadPaymentRequest, record, scheduleExpiry } from './payment-request-repo.js';
import { checkInteractionConfig, checkPurchase } from './purchase-input.js';

export interface PaymentRequestPatch {
  amount?: number;
  currency?: string;
  payment_request_reference?: string;
  payment_option_id?: string;
  supplementary_purchase_data?: JsonObject;
  customer_interaction_config?: CustomerInteractionConfig;
}

export async function updatePaymentRequest(uow: UnitOfWork, id: string, patch: PaymentRequestPatch): Promise<PaymentRequestState> {
  if (Object.keys(patch).length === 0) throw new KassaError('BAD_VALUE', ['Bad value: body (nothing to update)']);
  const current = await loadPaymentRequest(uow, id);
  const decided = refuseOnFinal(decide(current, 'update', uow.now));
  if (isRejection(decided)) throw KassaError.from(decided);
  const next: PaymentRequestState = {
    ...decided.state,
    amount: patch.amount ?? current.amount,
    currency: patch.currency ?? current.currency,
    payment_request_reference: patch.payment_request_reference ?? current.payment_request_reference,
    payment_option_id: patch.payment_option_id ?? current.payment_option_id,
    supplementary_purchase_data: patch.supplementary_purchase_data ?? current.supplementary_purchase_data,
    customer_interaction_config: { ...current.customer_interaction_config, ...patch.customer_interaction_config },
  };
  checkPurchase({ amount: next.amount, currency: next.currency, supplementary: next.supplementary_purchase_data }, { amount: 'amount', currency: 'currency', supplementary: 'supplementary_purchase_data' });
  checkInteractionConfig(patch.customer_interaction_config, 'customer_interaction_config');
  const newExpiry = patch.customer_interaction_config?.interaction_expiry;
  if (newExpiry) {
    const expiresAtMs = orThrow(expiryFor(uow.now, newExpiry, 'customer_interaction_config.interaction_expiry'));
    next.internal = { ...next.internal, expiresAtMs };
    next.expires_at = new Date(expiresAtMs).toISOString();
    scheduleExpiry(uow, next);
  }
  return record(uow, { ...decided, state: next }, { fields: Object.keys(patch) });
}

export async function cancelPaymentRequest(uow: UnitOfWork, id: string): Promise<PaymentRequestState> {
  const current = await loadPaymentRequest(uow, id);
  const decided = refuseOnFinal(decide(current, 'cancel', uow.now));
  if (isRejection(decided)) throw KassaError.from(decided);
  return record(uow, decided);
}

/** Timer `payment-request.expire`: fires at the request's deadline on the account clock. */
export async function expirePaymentRequest(uow: UnitOfWork, timer: TimerRecord): Promise<void> {
  const current = await uow.load<PaymentRequestState>(paymentRequestType, timer.aggregateId);
  if (!current) return;
  // A deadline moved later by an update replaces this timer; never expire before the stored deadline.
  if (current.state !== 'EXPIRED' && uow.now < current.internal.expiresAtMs && (current.state === 'SUBMITTED' || current.state === 'IN_PROGRESS')) {
    scheduleExpiry(uow, current);
    return;
  }
  await record(uow, orThrow(decide(current, 'expire', uow.now)), { timer: timer.id });
}
