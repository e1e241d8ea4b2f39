/**
 * The acquiring-partner flows end to end over HTTP: step-up -> journey -> APPROVED creating an
 * order that Order Management reads; customer-token charges; declines; direct creation; updates;
 * idempotency; expiry of requests and tokens on the test clock; every return_url placeholder
 * through the journey (the browser side, payment_request_url, is tested with the shared journey:
 * test/web/journey-payment-request-http.test.ts and test/browser/payment-request-journey.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { orderIdOf } from '../../src/app/payment-requests/payment-transaction.js';
import { customerTokenType, type CustomerTokenState } from '../../src/domain/customer-token/customer-token-state.js';
import type { OrderState } from '../../src/domain/order/order-state.js';
import { swedishOrder } from '../fixtures/orders.js';
import { authorize, createSession } from '../support/flows.js';
import { purchase, startV2Kassa, type V2Kassa } from './support.js';

let k: V2Kassa;
beforeEach(async () => (k = await startV2Kassa()));
afterEach(async () => k.close());

const store = () => k.kassa.deps.engine.store;
const order = async (transactionId: string) => (await store().getAggregate<OrderState>(k.merchant.accountId, 'order', orderIdOf(transactionId)))?.state;

async function completed(email = 'customer@email.de', extra: Record<string, unknown> = {}): Promise<any> {
  const pr = await k.stepUp(extra);
  await k.journey(pr.payment_request_id, 'enter');
  const r = await k.journey(pr.payment_request_id, 'approve', { email });
  expect(r.json.payment_request.state).toBe('COMPLETED');
  return r.json.payment_request;
}

describe('step-up flow to a payment transaction', () => {
  it('authorize -> STEP_UP_REQUIRED -> journey -> APPROVED places an order Order Management can read', async () => {
    const pr = await completed('customer@email.de', { supplementary_purchase_data: { purchase_reference: 'order-42', line_items: [{ name: 'Shoes', quantity: 2, unit_price: 5000, total_amount: 10000 }, { name: 'Shipping', quantity: 1, total_amount: 1800 }] } });
    const r = await k.authorize({ ...purchase(), supplementary_purchase_data: { purchase_reference: 'order-42' } }, { 'klarna-network-session-token': pr.state_context.klarna_network_session_token });
    expect(r.status).toBe(200);
    const tx = r.json.payment_transaction_response.payment_transaction;
    expect(r.json.payment_transaction_response.result).toBe('APPROVED');
    expect(tx).toMatchObject({ payment_transaction_id: expect.stringMatching(/^krn:payment:eu1:transaction:[0-9a-f-]{36}$/), payment_transaction_reference: 'tx-ref-1', state: 'AUTHORIZED', amount: 11800, currency: 'EUR', payment_request_id: pr.payment_request_id });
    const o = await order(tx.payment_transaction_id);
    expect(o).toMatchObject({
      order_id: orderIdOf(tx.payment_transaction_id),
      status: 'AUTHORIZED',
      fraud_status: 'ACCEPTED',
      order_amount: 11800,
      remaining_authorized_amount: 11800,
      purchase_currency: 'EUR',
      purchase_country: 'DE',
      merchant_reference1: 'tx-ref-1',
      merchant_reference2: 'order-42',
      internal: { source: 'payment_transaction', sourceId: tx.payment_transaction_id },
    });
    expect(o!.order_lines.map((l) => [l.name, l.total_amount])).toEqual([['Shoes', 10000], ['Shipping', 1800]]);
    expect(await store().getTimer(`order:${o!.order_id}:expire`)).toBeDefined();
    expect(await store().findLookup('payment_transaction', tx.payment_transaction_id)).toMatchObject({ type: 'order', id: o!.order_id });
    await k.flush();
    const [event] = k.events('payment.transaction.state-change.authorized');
    expect(event!.payload).toEqual(tx);
    // The request stays COMPLETED; the token is spent.
    expect((await k.request('GET', `/v2/payment/requests/${pr.payment_request_id}`)).json().state).toBe('COMPLETED');

    // Order Management reads, captures and refunds the transaction by the KRN's last segment.
    const om = `/ordermanagement/v1/orders/${orderIdOf(tx.payment_transaction_id)}`;
    expect((await k.request('GET', om)).json()).toMatchObject({ order_id: orderIdOf(tx.payment_transaction_id), status: 'AUTHORIZED', order_amount: 11800, merchant_reference1: 'tx-ref-1' });
    expect((await k.request('POST', `${om}/captures`, { body: { captured_amount: 10000 } })).statusCode).toBe(201);
    expect((await k.request('POST', `${om}/refunds`, { body: { refunded_amount: 2500 } })).statusCode).toBe(201);
    expect((await k.request('GET', om)).json()).toMatchObject({ status: 'PART_CAPTURED', captured_amount: 10000, refunded_amount: 2500, remaining_authorized_amount: 1800 });
  });

  it('accepts the legacy Klarna-Payment-Token header and books a pending-review persona as PENDING', async () => {
    const pr = await completed('customer+pend-accept-05@email.us', { currency: 'USD' });
    const r = await k.authorize(purchase(11800, 'USD'), { 'klarna-payment-token': pr.state_context.payment_token });
    const o = await order(r.json.payment_transaction_response.payment_transaction.payment_transaction_id);
    expect(o).toMatchObject({ fraud_status: 'PENDING', purchase_country: 'US', purchase_currency: 'USD', internal: { subject: { email: 'customer+pend-accept-05@email.us' } } });
  });

  it('declines up front for a declining persona and without any way to reach the customer, writing nothing', async () => {
    const denied = await k.authorize({ ...purchase(), supplementary_purchase_data: { customer: { email: 'customer+denied@email.de' } }, step_up_config: {} });
    expect(denied.json).toEqual({ payment_transaction_response: { result: 'DECLINED', result_reason: 'DENIED' } });
    const noStepUp = await k.authorize(purchase());
    expect(noStepUp.json).toEqual({ payment_transaction_response: { result: 'DECLINED', result_reason: 'CUSTOMER_INTERACTION_REQUIRED' } });
    expect(await store().listAggregates(k.merchant.accountId, 'payment_request', { limit: 10 })).toEqual([]);
  });

  it('declines in the journey for a declining persona; the request is DECLINED and has no token', async () => {
    const pr = await k.stepUp();
    await k.journey(pr.payment_request_id, 'enter');
    const r = await k.journey(pr.payment_request_id, 'approve', { email: 'customer+reject_reason_fraud@email.de' });
    expect(r.json.payment_request).toMatchObject({ state: 'DECLINED', state_reason: 'PURCHASE_DECLINED', state_context: {} });
    expect(r.json.redirect_url).toBe('https://partner.example/return');
  });

  it('answers a repeated authorize with the same Klarna-Idempotency-Key with the first answer and one request', async () => {
    const body = { ...purchase(), step_up_config: { customer_interaction_config: { return_url: 'https://p.example/r' } } };
    const a = await k.authorize(body, { 'klarna-idempotency-key': 'key-1' });
    const b = await k.authorize(body, { 'klarna-idempotency-key': 'key-1' });
    expect(b.json).toEqual(a.json);
    expect(await store().listAggregates(k.merchant.accountId, 'payment_request', { limit: 10 })).toHaveLength(1);
  });
});

describe('customer-token charges (no step-up)', () => {
  async function token(status: CustomerTokenState['status'], email = 'customer@email.de'): Promise<string> {
    const account = (await store().getAccount(k.merchant.accountId))!;
    const id = `ct-${Math.random().toString(36).slice(2)}`;
    const state: CustomerTokenState = {
      token_id: id,
      status,
      payment_method_type: 'INVOICE',
      description: 'Subscription',
      intended_use: 'SUBSCRIPTION',
      locale: 'de-DE',
      purchase_country: 'DE',
      purchase_currency: 'EUR',
      created_at: new Date().toISOString(),
      internal: { sessionId: 's', subject: { email }, paymentMethodCategory: 'pay_later' },
    };
    await k.kassa.deps.engine.execute(account, 'test', async (uow) => uow.put(customerTokenType, id, state));
    return id;
  }

  it('approves an ACTIVE token without creating a payment request, even with step_up_config', async () => {
    const r = await k.authorize({ ...purchase(2500), step_up_config: { customer_interaction_config: { return_url: 'https://p.example/r' } } }, { 'klarna-customer-token': await token('ACTIVE') });
    expect(r.json.payment_transaction_response.result).toBe('APPROVED');
    expect(await order(r.json.payment_transaction_response.payment_transaction.payment_transaction_id)).toMatchObject({ order_amount: 2500, status: 'AUTHORIZED' });
    expect(await store().listAggregates(k.merchant.accountId, 'payment_request', { limit: 10 })).toEqual([]);
  });

  it('charges a customer token made by the Payments v1 tokenize flow', async () => {
    const id = await createSession(k, { ...swedishOrder(), intent: 'tokenize' });
    const { authorization_token } = await authorize(k, id, { billing_address: { email: 'customer@email.se' } });
    const made = await k.request('POST', `/payments/v1/authorizations/${authorization_token}/customer-token`, {
      body: { description: 'Monthly socks', intended_use: 'SUBSCRIPTION', locale: 'sv-SE', purchase_country: 'SE', purchase_currency: 'SEK' },
    });
    expect(made.statusCode).toBe(200);
    const r = await k.authorize({ currency: 'SEK', request_payment_transaction: { amount: 19900, payment_transaction_reference: 'month-2' } }, { 'klarna-customer-token': made.json().token_id });
    expect(r.json.payment_transaction_response).toMatchObject({ result: 'APPROVED', payment_transaction: { amount: 19900, currency: 'SEK', payment_transaction_reference: 'month-2' } });
    expect(await order(r.json.payment_transaction_response.payment_transaction.payment_transaction_id)).toMatchObject({ purchase_country: 'SE', order_amount: 19900, status: 'AUTHORIZED' });
    const other = await k.createMerchant();
    const foreign = await k.request('POST', `/v2/accounts/${other.accountId}/payment/authorize`, { merchant: other, body: { currency: 'SEK', request_payment_transaction: { amount: 100 } }, headers: { 'klarna-customer-token': made.json().token_id } });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error_code).toBe('INVALID_TOKEN');
  });

  it('declines a cancelled token and a declining customer; refuses another currency', async () => {
    expect((await k.authorize(purchase(), { 'klarna-customer-token': await token('CANCELLED') })).json.payment_transaction_response).toEqual({ result: 'DECLINED', result_reason: 'CUSTOMER_TOKEN_NOT_ACTIVE' });
    expect((await k.authorize(purchase(), { 'klarna-customer-token': await token('ACTIVE', 'customer+denied@email.de') })).json.payment_transaction_response.result).toBe('DECLINED');
    const sek = await k.authorize(purchase(100, 'SEK'), { 'klarna-customer-token': await token('ACTIVE') });
    expect(sek.status).toBe(400);
  });
});

describe('direct payment requests and updates', () => {
  it('creates with POST /v2/payment/requests (201, SUBMITTED) and reads it under both path families', async () => {
    const r = await k.request('POST', '/v2/payment/requests', { body: { currency: 'EUR', amount: 5000, payment_request_reference: 'direct-1', customer_interaction_config: { return_url: 'https://p.example/r' } } });
    expect(r.statusCode).toBe(201);
    const pr = r.json();
    expect(pr).toMatchObject({ state: 'SUBMITTED', amount: 5000, payment_request_reference: 'direct-1', expires_at: '2026-01-17T10:00:00.000Z' });
    expect(pr.previous_state).toBeUndefined();
    for (const url of [`/v2/payment/requests/${pr.payment_request_id}`, `/v2/accounts/${k.merchant.accountId}/payment/requests/${pr.payment_request_id}`]) {
      expect((await k.request('GET', url)).json()).toEqual(pr);
    }
  });

  it('PATCH changes a SUBMITTED request, emits payment.request.updated, and can move the deadline', async () => {
    const pr = await k.stepUp();
    k.clock.advance(60_000);
    const r = await k.request('PATCH', `/v2/payment/requests/${pr.payment_request_id}`, { body: { amount: 9900, customer_interaction_config: { interaction_expiry: { duration: 'PT30M' } } } });
    expect(r.json()).toMatchObject({ state: 'SUBMITTED', previous_state: 'SUBMITTED', state_reason: 'PAYMENT_REQUEST_UPDATED', amount: 9900, expires_at: '2026-01-15T10:31:00.000Z', customer_interaction_config: { return_url: 'https://partner.example/return' } });
    await k.flush();
    expect(k.events('payment.request.updated').map((e) => e.payload.amount)).toEqual([9900]);
    await k.advance(29 * 60);
    expect((await k.request('GET', `/v2/payment/requests/${pr.payment_request_id}`)).json().state).toBe('SUBMITTED');
    await k.advance(60);
    expect((await k.request('GET', `/v2/payment/requests/${pr.payment_request_id}`)).json().state).toBe('EXPIRED');
  });
});

describe('expiry on the test clock', () => {
  it('a request stays open 48 hours by default', async () => {
    const pr = await k.stepUp();
    await k.journey(pr.payment_request_id, 'enter');
    await k.advance(48 * 3600 - 1);
    expect((await k.request('GET', `/v2/payment/requests/${pr.payment_request_id}`)).json().state).toBe('IN_PROGRESS');
    await k.advance(1);
    const read = (await k.request('GET', `/v2/payment/requests/${pr.payment_request_id}`)).json();
    expect(read).toMatchObject({ state: 'EXPIRED', previous_state: 'IN_PROGRESS', state_reason: 'PAYMENT_REQUEST_EXPIRED', state_context: {} });
    await k.flush();
    expect(k.events('payment.request.state-change.expired')).toHaveLength(1);
  });

  it('honours interaction_expiry as a duration and as a timestamp', async () => {
    const a = await k.stepUp({ step_up_config: { customer_interaction_config: { interaction_expiry: { duration: 'PT15M' } } } });
    const b = await k.stepUp({ step_up_config: { customer_interaction_config: { interaction_expiry: { timestamp: '2026-01-15T12:00:00Z' } } } });
    expect([a.expires_at, b.expires_at]).toEqual(['2026-01-15T10:15:00.000Z', '2026-01-15T12:00:00.000Z']);
    await k.advance(15 * 60);
    expect((await k.request('GET', `/v2/payment/requests/${a.payment_request_id}`)).json().state).toBe('EXPIRED');
    expect((await k.request('GET', `/v2/payment/requests/${b.payment_request_id}`)).json().state).toBe('SUBMITTED');
    await k.advance(105 * 60);
    expect((await k.request('GET', `/v2/payment/requests/${b.payment_request_id}`)).json().state).toBe('EXPIRED');
  });

  it('a customer arriving after the deadline, before the timer fired, finds the request EXPIRED', async () => {
    const pr = await k.stepUp({ step_up_config: { customer_interaction_config: { interaction_expiry: { duration: 'PT15M' } } } });
    k.clock.advance(15 * 60_000); // time passes without the clock endpoint firing timers
    const r = await k.journey(pr.payment_request_id, 'enter');
    expect(r.json).toMatchObject({ ignored: true, payment_request: { state: 'EXPIRED' } });
    expect(await store().getTimer(`payment-request:${pr.payment_request_id}:expire`)).toBeUndefined();
  });

  it('a payment token is valid for 60 minutes', async () => {
    const early = await completed();
    const late = await completed();
    await k.advance(59 * 60 + 59);
    expect((await k.authorize(purchase(), { 'klarna-payment-token': early.state_context.payment_token })).json.payment_transaction_response.result).toBe('APPROVED');
    await k.advance(1);
    const r = await k.authorize(purchase(), { 'klarna-payment-token': late.state_context.payment_token });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error_code: 'TOKEN_EXPIRED', errors: [{ parameter: 'Klarna-Payment-Token' }] });
  });
});

describe('return_url placeholders through the journey', () => {
  const template =
    'https://p.example/back?id={klarna.payment_request.id}&state={klarna.payment_request.state}&pt={klarna.payment_request.payment_token}' +
    '&nst={klarna.payment_request.klarna_network_session_token}&iot={klarna.payment_request.interoperability_token}' +
    '&ref={klarna.payment_request.payment_request_reference}&legacy={klarna.payment_request.payment_reference}';

  it('approve redirects with every placeholder substituted and URL-encoded', async () => {
    const pr = await k.stepUp({ step_up_config: { payment_request_reference: 'ref & co/1', customer_interaction_config: { return_url: template } } }, );
    await k.journey(pr.payment_request_id, 'enter');
    const r = await k.journey(pr.payment_request_id, 'approve', { email: 'customer@email.de' });
    const ctx = r.json.payment_request.state_context;
    const url = new URL(r.json.redirect_url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      id: pr.payment_request_id,
      state: 'COMPLETED',
      pt: ctx.payment_token,
      nst: ctx.klarna_network_session_token,
      iot: ctx.interoperability_token,
      ref: 'ref & co/1',
      legacy: 'ref & co/1',
    });
    expect(r.json.redirect_url).toContain(`ref=${encodeURIComponent('ref & co/1')}`);
    expect(r.json.redirect_url).not.toContain('{');
  });

  it('abort redirects with the SUBMITTED state and empty tokens; the partner interoperability token is echoed', async () => {
    const pr = await k.stepUp({ step_up_config: { customer_interaction_config: { return_url: template } } });
    await k.journey(pr.payment_request_id, 'enter');
    const r = await k.journey(pr.payment_request_id, 'abort');
    expect(Object.fromEntries(new URL(r.json.redirect_url).searchParams)).toMatchObject({ state: 'SUBMITTED', pt: '', nst: '', iot: '', ref: '' });

    const withIot = (await k.authorize({ ...purchase(), step_up_config: { customer_interaction_config: { return_url: template } } }, { 'klarna-interoperability-token': 'partner-iot-123' })).json.payment_request;
    await k.journey(withIot.payment_request_id, 'enter');
    const done = await k.journey(withIot.payment_request_id, 'approve');
    expect(new URL(done.json.redirect_url).searchParams.get('iot')).toBe('partner-iot-123');
  });

  it('without a return_url the browser is sent back to the journey page', async () => {
    const pr = await k.stepUp({ step_up_config: {} });
    await k.journey(pr.payment_request_id, 'enter');
    expect((await k.journey(pr.payment_request_id, 'approve')).json.redirect_url).toBe(pr.state_context.customer_interaction.payment_request_url);
  });
});
