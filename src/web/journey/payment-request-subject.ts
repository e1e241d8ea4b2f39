/**
 * The v2 payment request as a journey subject: the step-up customer of an acquiring partner walks
 * the same purchase journey pages as a JS SDK customer, opened by redirect from
 * `payment_request_url` (`/kp/v1/journey/payment-request#t=<journey token>`), and is sent back to
 * the partner's `return_url` with its placeholders filled in.
 *
 * The credential is the request's **journey token**: random (32 bytes), minted with the request,
 * found through its own lookup key, and carried only by `payment_request_url` — not the request id,
 * which the partner's systems, webhooks, logs and the return_url itself (`{klarna.payment_request.id}`)
 * spread widely. The token names exactly one request and, through it, one account: a customer can act
 * on that request only, never on another request or another account's (docs/journey.md).
 *
 * The state changes are the functions behind the sandbox helper (src/app/payment-requests/journey.ts),
 * so the browser and POST /sandbox/v2/payment/requests/{id}/journey behave identically:
 * enter -> IN_PROGRESS, approve -> COMPLETED (or DECLINED for a declining persona), close -> abort
 * (back to SUBMITTED). A request in a final state is refused with a message saying why.
 */
import { abortJourney, approveJourney, enterJourney, redirectUrlFor, type JourneyOutcome as RequestOutcome } from '../../app/payment-requests/journey.js';
import { paymentRequestLookups } from '../../app/payment-requests/payment-request-repo.js';
import { countryFor, type LineItem } from '../../app/payment-requests/purchase-input.js';
import { paymentMethodCategories, type PaymentMethodCategoryId } from '../../domain/decision/payment-methods.js';
import { KassaError } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import type { PaymentRequestStatus } from '../../domain/payment-request/payment-request-machine.js';
import { isOverdue, paymentRequestType, type PaymentRequestState } from '../../domain/payment-request/payment-request-state.js';
import type { JourneyOutcome, JourneySubject, JourneyView } from './journey-subject.js';

/** Why a request in a final state cannot go through the journey (shown on the page). */
const finalMessages: Partial<Record<PaymentRequestStatus, string>> = {
  COMPLETED: 'This purchase was already approved. You can return to the store.',
  DECLINED: 'This purchase was declined. Please return to the store and choose another way to pay.',
  CANCELED: 'The store cancelled this payment. Please return to the store.',
  EXPIRED: 'This payment link has expired. The store can send you a new one.',
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** Where the page goes at the end: the partner's return_url, or nowhere (the page says "all done"). */
function pageOutcome(result: JourneyOutcome['result'], o: RequestOutcome): JourneyOutcome {
  return o.request.customer_interaction_config.return_url && o.redirect_url ? { result, redirect_url: o.redirect_url } : { result };
}

export const paymentRequestSubject: JourneySubject<string> = {
  kind: 'payment-request',
  credentialName: 'journey token',

  async resolve(deps, credential) {
    const found = await deps.engine.store.findLookup(paymentRequestLookups.journeyToken, credential);
    if (!found || found.type !== paymentRequestType) return undefined;
    const account = await deps.engine.store.getAccount(found.accountId);
    return account ? { account, ref: found.id } : undefined;
  },

  async view(deps, account, id): Promise<JourneyView> {
    const record = await deps.engine.store.getAggregate<PaymentRequestState>(account.id, paymentRequestType, id);
    if (!record) throw new KassaError('NOT_FOUND', ['Payment request not found']);
    const r = record.state;
    // Read-only: a request past its deadline whose timer has not fired yet is shown as expired.
    const state: PaymentRequestStatus = isOverdue(r, deps.engine.accountNow(account)) ? 'EXPIRED' : r.state;
    const refusal = finalMessages[state];
    if (refusal) throw new KassaError('PAYMENT_REQUEST_STATE', [refusal]);

    const purchase = r.supplementary_purchase_data ?? {};
    const country = countryFor(r.currency, purchase);
    const items = (purchase.line_items as LineItem[] | undefined) ?? [];
    const customer = (purchase.customer ?? {}) as JsonObject;
    const email = text(customer.email);
    const phone = text(customer.phone);
    return {
      merchant_name: account.username,
      purchase_country: country,
      purchase_currency: r.currency,
      locale: `en-${country}`,
      order_amount: r.amount,
      order_lines: items.length > 0 ? items.map((i) => ({ name: i.name, quantity: i.quantity, total_amount: i.total_amount })) : [{ name: 'Payment', quantity: 1, total_amount: r.amount }],
      payment_method_categories: paymentMethodCategories(country, r.amount, 'buy', deps.config.publicUrl),
      prefill: { ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
    };
  },

  async enter(uow, _deps, id) {
    await enterJourney(uow, id);
  },

  async approve(uow, _deps, id, approval) {
    const o = await approveJourney(uow, id, approval.identity, {
      category: approval.payment_method_category as PaymentMethodCategoryId,
      ...(approval.installments !== undefined ? { installments: approval.installments } : {}),
    });
    return pageOutcome(o.request.state === 'COMPLETED' ? 'approved' : 'declined', o);
  },

  async abort(uow, _deps, id) {
    // Closing before the journey was entered (or after the partner took it back) changes nothing;
    // a request that is already final records the late signal and answers its state.
    const current = await uow.load<PaymentRequestState>(paymentRequestType, id);
    if (current && current.state === 'SUBMITTED' && !isOverdue(current, uow.now)) {
      return pageOutcome('aborted', { request: current, redirect_url: redirectUrlFor(current), ignored: false });
    }
    return pageOutcome('aborted', await abortJourney(uow, id));
  },
};
