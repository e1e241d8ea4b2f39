/**
 * A merchant's "world" for the isolation and secrets suites: one of every kind of object Kassa
 * serves (an open session, an unused authorization, an order with a capture and a refund, a
 * customer token, …), with the ids keyed by the path parameter names the routes use, and every
 * secret it was handed (client tokens, authorization tokens, customer tokens, journey tokens, …).
 * Objects of API families that are not served (yet) are left out; a route whose path parameter
 * has no object here makes the isolation suite fail, naming it, so new routes get a fixture.
 */
import { swedishOrder } from '../../fixtures/orders.js';
import type { Merchant, TestKassa } from '../../support/harness.js';

export interface World {
  merchant: Merchant;
  /** Path parameter name (normalized: lower case, letters and digits) -> id of this merchant's object. */
  ids: Map<string, string>;
  /** Everything that must never show up in a log or in another merchant's answers. */
  secrets: string[];
  /** Every id of this world (for "nothing leaked" checks). */
  all: string[];
  /** The open session's client token (the purchase journey's bearer credential). */
  clientToken: string;
  /** The open payment request's journey token (the payment-request journey's bearer credential), if v2 is served. */
  journeyToken?: string;
}

export const normParam = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

export async function buildWorld(t: TestKassa, merchant: Merchant): Promise<World> {
  const ids = new Map<string, string>();
  const secrets: string[] = [merchant.password];
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await t.request(method, url, { body, merchant });
    if (res.statusCode >= 300) throw new Error(`world: ${method} ${url} answered ${res.statusCode} ${res.body}`);
    return res;
  };
  const has = (method: string, url: string) => t.kassa.app.hasRoute({ method: method as 'GET', url });
  const set = (names: string[], id: string) => names.forEach((n) => ids.set(normParam(n), id));

  let journeyToken: string | undefined;
  ids.set('partneraccountid', merchant.accountId);
  ids.set('accountid', merchant.accountId);

  // An open session with an unused authorization.
  const open = (await call('POST', '/payments/v1/sessions', swedishOrder())).json();
  secrets.push(open.client_token);
  const openAuth = (await call('POST', `/sandbox/v1/sessions/${open.session_id}/authorize`, {})).json();
  secrets.push(openAuth.authorization_token);
  set(['session_id'], open.session_id);
  set(['authorizationToken', 'authorization_token'], openAuth.authorization_token);

  // An order (with confirmation redirect), captured and refunded when Order Management is served.
  const placed = (await call('POST', '/payments/v1/sessions', { ...swedishOrder(), merchant_urls: { confirmation: 'https://shop.example/thanks/{order.id}' } })).json();
  secrets.push(placed.client_token);
  const placedAuth = (await call('POST', `/sandbox/v1/sessions/${placed.session_id}/authorize`, {})).json();
  secrets.push(placedAuth.authorization_token);
  const order = (await call('POST', `/payments/v1/authorizations/${placedAuth.authorization_token}/order`, swedishOrder())).json();
  set(['order_id'], order.order_id);
  if (has('POST', '/ordermanagement/v1/orders/:order_id/captures')) {
    const capture = await call('POST', `/ordermanagement/v1/orders/${order.order_id}/captures`, { captured_amount: 5000 });
    set(['capture_id'], capture.headers['capture-id'] as string);
    const refund = await call('POST', `/ordermanagement/v1/orders/${order.order_id}/refunds`, { refunded_amount: 1000 });
    set(['refund_id'], refund.headers['refund-id'] as string);
  }

  // A customer token (recurring).
  const tokenize = (await call('POST', '/payments/v1/sessions', { ...swedishOrder(), intent: 'tokenize' })).json();
  secrets.push(tokenize.client_token);
  const tokenizeAuth = (await call('POST', `/sandbox/v1/sessions/${tokenize.session_id}/authorize`, {})).json();
  secrets.push(tokenizeAuth.authorization_token);
  const customerToken = (
    await call('POST', `/payments/v1/authorizations/${tokenizeAuth.authorization_token}/customer-token`, {
      description: 'Subscription',
      intended_use: 'SUBSCRIPTION',
      locale: 'sv-SE',
      purchase_country: 'SE',
      purchase_currency: 'SEK',
    })
  ).json();
  set(['customerToken', 'token_id', 'customer_token_id'], customerToken.token_id);
  secrets.push(customerToken.token_id);

  // v2: a signing key (its secret), a webhook and one delivery of it, a payment request the
  // customer approved (its tokens), and one still open.
  if (has('POST', '/v2/notification/signing-keys')) {
    const key = (await call('POST', '/v2/notification/signing-keys')).json();
    set(['signing_key_id'], key.signing_key_id);
    secrets.push(key.signing_key);
    const hook = (
      await call('POST', '/v2/notification/webhooks', { url: 'https://partner.example/hooks', event_types: ['*'], event_version: 'v2', signing_key_id: key.signing_key_id, status: 'ENABLED' })
    ).json();
    set(['webhook_id'], hook.webhook_id);
    const simulated = (await call('POST', `/v2/notification/webhooks/${hook.webhook_id}/simulate`, { event_type: 'payment.request.state-change.completed' })).json();
    set(['delivery_id'], simulated.delivery_id);
  }
  if (has('POST', '/v2/accounts/:partner_account_id/payment/authorize')) {
    const stepUp = { payment_request_reference: 'world-pr', customer_interaction_config: { method: 'HANDOVER', return_url: 'https://partner.example/return' } };
    const purchase = { currency: 'EUR', request_payment_transaction: { amount: 11800, payment_transaction_reference: 'world-tx' } };
    const journeyTokenOf = (pr: { state_context: { customer_interaction: { payment_request_url: string } } }) =>
      new URLSearchParams(new URL(pr.state_context.customer_interaction.payment_request_url).hash.slice(1)).get('t') ?? undefined;
    const approved = (await call('POST', `/v2/accounts/${merchant.accountId}/payment/authorize`, { ...purchase, step_up_config: stepUp })).json().payment_request;
    const approvedJourneyToken = journeyTokenOf(approved);
    if (approvedJourneyToken) secrets.push(approvedJourneyToken);
    await call('POST', `/sandbox/v2/payment/requests/${approved.payment_request_id}/journey`, { action: 'enter' });
    const completed = (await call('POST', `/sandbox/v2/payment/requests/${approved.payment_request_id}/journey`, { action: 'approve', customer: { email: 'customer@email.de' } })).json().payment_request;
    for (const k of ['payment_token', 'klarna_network_session_token', 'interoperability_token']) if (completed.state_context?.[k]) secrets.push(completed.state_context[k]);
    const open = (await call('POST', `/v2/accounts/${merchant.accountId}/payment/authorize`, { ...purchase, step_up_config: stepUp })).json().payment_request;
    set(['payment_request_id'], open.payment_request_id);
    journeyToken = journeyTokenOf(open);
    if (journeyToken) secrets.push(journeyToken);
  }

  return { merchant, ids, secrets, all: [...new Set([...ids.values(), ...secrets])], clientToken: open.client_token, journeyToken };
}
