/**
 * A merchant's "world" for the isolation and secrets suites: one of every kind of object Kassa
 * serves (an open session, an unused authorization, an order with a capture and a refund, a
 * customer token, …), with the ids keyed by the path parameter names the routes use, and every
 * secret it was handed (client tokens, authorization tokens, customer tokens, journey tokens, …).
 * Objects of API families that are not served (yet) are left out; a route whose path parameter
 * has no object here makes the isolation suite fail, naming it, so new routes get a fixture.
 *
 * The merchant role (/merchant/v1) gets its own objects: a configured connection, an order in
 * checkout, an order placed, captured and refunded, their request ids and the notification token.
 * Its ids live in `merchantIds`, because its path parameters reuse names (`order_id`) that mean a
 * provider object elsewhere: `idOf(world, path, param)` picks the right one. The merchant role
 * talks to "this Kassa" (KASSA_PUBLIC_URL) over HTTP; the world points the runtime's outbound
 * client at the app itself (support/in-process-http.ts), so no socket is opened.
 */
import { merchantRuntimeFor } from '../../../src/app/merchant/merchant-runtime.js';
import type { MerchantOrder } from '../../../src/domain/merchant-order/merchant-order-state.js';
import { merchantOrderType } from '../../../src/domain/merchant-order/merchant-order-state.js';
import { swedishOrder } from '../../fixtures/orders.js';
import type { Merchant, TestKassa } from '../../support/harness.js';
import { inProcessHttp } from './in-process-http.js';

export interface World {
  merchant: Merchant;
  /** Path parameter name (normalized: lower case, letters and digits) -> id of this merchant's object. */
  ids: Map<string, string>;
  /** The same for the merchant role's routes (/merchant/v1/...). */
  merchantIds: Map<string, string>;
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

/** The id of this world's object for path parameter `param` of route `path`, if it has one. */
export function idOf(world: World, path: string, param: string): string | undefined {
  const key = normParam(param);
  if (path.startsWith('/merchant/v1/')) return world.merchantIds.get(key);
  return world.ids.get(key);
}

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

  // The merchant role: a configured connection (to this Kassa, with this merchant's credentials),
  // an order left in checkout, and one placed, captured and refunded.
  const merchantIds = new Map<string, string>();
  const extra: string[] = [];
  if (has('POST', '/merchant/v1/orders')) {
    merchantRuntimeFor(t.kassa.deps).http = inProcessHttp(t.kassa);
    const connection = (await call('PUT', '/merchant/v1/connection', { base_url: t.kassa.deps.config.publicUrl, username: merchant.username, password: merchant.password })).json();
    extra.push(connection.connection_id);
    await call('PUT', '/merchant/v1/settings', { recheck_interval_seconds: 3600 });
    const cart = swedishOrder();
    const checkout = async () => {
      const order = (await call('POST', '/merchant/v1/orders', cart)).json();
      if (order.state !== 'checkout') throw new Error(`world: merchant checkout is ${order.state}: ${JSON.stringify(order.requests)}`);
      return order;
    };
    const pending = await checkout();
    secrets.push(pending.checkout.client_token);
    extra.push(pending.order_id, pending.checkout.session_id);

    const placed = await checkout();
    secrets.push(placed.checkout.client_token);
    const auth = (await call('POST', `/sandbox/v1/sessions/${placed.checkout.session_id}/authorize`, {})).json();
    secrets.push(auth.authorization_token);
    await call('POST', `/merchant/v1/orders/${placed.order_id}/authorize`, { authorization_token: auth.authorization_token });
    await call('POST', `/merchant/v1/orders/${placed.order_id}/captures`, { captured_amount: 5000 });
    const done = (await call('POST', `/merchant/v1/orders/${placed.order_id}/refunds`, { refunded_amount: 1000 })).json();
    if (!done.klarna?.order_id || done.refunds.length !== 1) throw new Error(`world: merchant order not refunded: ${JSON.stringify(done).slice(0, 400)}`);
    merchantIds.set('orderid', placed.order_id);
    const capture = done.requests.find((r: { kind: string }) => r.kind === 'capture');
    merchantIds.set('requestid', capture.request_id);
    extra.push(placed.checkout.session_id, done.klarna.order_id, ...done.requests.map((r: { request_id: string }) => r.request_id));
    for (const c of done.captures) extra.push(c.capture_id, ...(c.klarna_capture_id ? [c.klarna_capture_id] : []));
    for (const r of done.refunds) extra.push(r.refund_id, ...(r.klarna_refund_id ? [r.klarna_refund_id] : []));
    // The notification token is the provider's credential for this order: a secret, never shown.
    for (const id of [pending.order_id, placed.order_id]) {
      const record = await t.kassa.deps.engine.store.getAggregate<MerchantOrder>(merchant.accountId, merchantOrderType, id);
      secrets.push(record!.state.notification_token);
    }
    merchantIds.set('token', secrets.at(-1)!);
  }

  return {
    merchant,
    ids,
    merchantIds,
    secrets,
    all: [...new Set([...ids.values(), ...merchantIds.values(), ...extra, ...secrets])],
    clientToken: open.client_token,
    journeyToken,
  };
}
