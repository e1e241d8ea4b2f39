/**
 * The Payments v1 session as a journey subject. The credential is the session's client_token; the
 * decision is authorizeSession(), the very function behind POST /sandbox/v1/sessions/{id}/authorize,
 * so personas behave the same in the browser and over the helper. The journey's identity becomes
 * the `customer` email/phone Klarna decides on.
 */
import { authorizeSession } from '../../app/payments/authorize-session.js';
import type { UnitOfWork } from '../../app/unit-of-work.js';
import { throwIfRejected } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import { effectiveSessionStatus, sessionAllows } from '../../domain/session/decide-payments.js';
import { sessionType, type SessionState } from '../../domain/session/session-state.js';
import type { JourneyApproval, JourneyOutcome, JourneySubject, JourneyView } from './journey-subject.js';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

export const sessionSubject: JourneySubject<string> = {
  kind: 'session',
  credentialName: 'client token',

  async resolve(deps, credential) {
    const claims = await deps.clientTokens.verify(credential);
    const account = claims && (await deps.engine.store.getAccount(claims.accountId));
    return account && claims ? { account, ref: claims.sessionId } : undefined;
  },

  async view(deps, account, sessionId): Promise<JourneyView> {
    const record = await deps.engine.store.getAggregate<SessionState>(account.id, sessionType, sessionId);
    throwIfRejected(sessionAllows(record?.state, 'authorize', deps.engine.accountNow(account)));
    const s = record!.state;
    const known = [s.customer, s.billing_address];
    const email = known.map((k) => text(k?.email)).find(Boolean);
    const phone = known.map((k) => text(k?.phone)).find(Boolean);
    return {
      merchant_name: account.username,
      purchase_country: s.purchase_country,
      purchase_currency: s.purchase_currency,
      locale: s.locale,
      order_amount: s.order_amount,
      order_lines: s.order_lines.map((l) => ({ name: l.name, quantity: l.quantity, total_amount: l.total_amount, ...(l.type ? { type: l.type } : {}) })),
      payment_method_categories: s.payment_method_categories,
      prefill: { ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
    };
  },

  async enter() {
    // A v1 session has no "customer is in the journey" state; authorize() is stateless until approval.
  },

  async approve(uow: UnitOfWork, _deps, sessionId, approval: JourneyApproval): Promise<JourneyOutcome> {
    const customer: JsonObject = { ...approval.data.customer, ...approval.identity };
    const result = await authorizeSession(uow, sessionId, {
      payment_method_category: approval.payment_method_category,
      billing_address: approval.data.billing_address,
      shipping_address: approval.data.shipping_address,
      customer,
      installments: approval.installments,
    });
    const callback: NonNullable<JourneyOutcome['callback']> = { approved: result.approved, show_form: result.show_form };
    if (result.authorization_token) callback.authorization_token = result.authorization_token;
    if (result.finalize_required) callback.finalize_required = true;
    return { result: result.approved ? 'approved' : 'declined', callback };
  },

  async abort(uow: UnitOfWork, _deps, sessionId): Promise<JourneyOutcome> {
    // Recorded on the session's timeline so "why is there no authorization?" has an answer.
    const session = await uow.load<SessionState>(sessionType, sessionId);
    if (session && effectiveSessionStatus(session, uow.now) === 'incomplete') uow.event(sessionType, sessionId, 'session.journey_closed');
    return { result: 'aborted', callback: { approved: false, show_form: true } };
  },
};
