/**
 * Payments v1 authorization, orders, customer tokens and cancellation over HTTP: personas, the
 * 60-minute token, matching data (409), intents, idempotency and account isolation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { swedishOrder, usOrder } from '../fixtures/orders.js';
import { authorize, createSession, placeOrder } from '../support/flows.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa;
beforeEach(async () => (t = await startTestKassa()));
afterEach(async () => t.close());

const order = swedishOrder();
const createOrder = (token: string, body: object = order, headers?: Record<string, string>) => t.request('POST', `/payments/v1/authorizations/${token}/order`, { body, headers });
const tokenBody = { description: 'Monthly socks', intended_use: 'SUBSCRIPTION', locale: 'sv-SE', purchase_country: 'SE', purchase_currency: 'SEK' };

describe('sandbox authorize: personas (reference §5)', () => {
  it('approves a plain customer or no customer data, with a fresh token each time', async () => {
    const id = await createSession(t);
    const first = await authorize(t, id, { billing_address: { email: 'customer@email.se' } });
    expect(first).toMatchObject({ approved: true, show_form: true, fraud_status: 'ACCEPTED' });
    const second = await authorize(t, id);
    expect(second.authorization_token).not.toBe(first.authorization_token);
    // The previous token stops working once a new one is issued.
    expect((await createOrder(first.authorization_token!)).statusCode).toBe(404);
    expect((await createOrder(second.authorization_token!)).statusCode).toBe(200);
  });

  it.each(['customer+denied@email.se', 'customer+red@email.se', 'customer+reject_reason_fraud@email.us'])('declines %s without a token', async (email) => {
    const id = await createSession(t);
    const res = await authorize(t, id, { customer: { email } });
    expect(res).toEqual({ approved: false, show_form: false });
    expect((await t.request('GET', `/payments/v1/sessions/${id}`)).json().authorization_token).toBeUndefined();
  });

  it('declines the denied US phone number', async () => {
    const id = await createSession(t, usOrder());
    expect(await authorize(t, id, { billing_address: { phone: '+13106354386' } })).toEqual({ approved: false, show_form: false });
  });

  it.each([
    ['customer+pend-accept-05@email.us', 'PENDING'],
    ['customer+pend-reject-10@email.us', 'PENDING'],
  ])('%s approves with fraud_status %s on the order', async (email, fraud) => {
    const { response } = await placeOrder(t, usOrder(), { email });
    expect(response.fraud_status).toBe(fraud);
  });

  it('refuses a payment method category the session does not offer', async () => {
    const id = await createSession(t, usOrder());
    const res = await t.request('POST', `/sandbox/v1/sessions/${id}/authorize`, { body: { payment_method_category: 'pay_now' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_messages[0]).toContain('payment_method_category');
  });

  it('reports the chosen method as authorized_payment_method', async () => {
    const id = await createSession(t);
    const auth = await authorize(t, id, { payment_method_category: 'pay_over_time' });
    const res = await createOrder(auth.authorization_token!);
    expect(res.json().authorized_payment_method).toEqual({ type: 'fixed_sum_credit', number_of_installments: 6 });
  });

  it('posts the token to merchant_urls.authorization through the outbox', async () => {
    const id = await createSession(t, { ...order, merchant_urls: { authorization: 'http://127.0.0.1:9/auth-callback/{session.id}' } });
    const auth = await authorize(t, id);
    await t.kassa.deps.outbox.drain((await t.kassa.deps.engine.store.getAccount(t.merchant.accountId))!);
    expect(t.transport.deliveries).toHaveLength(1);
    expect(t.transport.deliveries[0]!.url).toBe(`http://127.0.0.1:9/auth-callback/${id}`);
    expect(JSON.parse(t.transport.deliveries[0]!.body)).toEqual({ session_id: id, authorization_token: auth.authorization_token });
  });
});

describe('create order from an authorization token', () => {
  it('creates the order, completes the session, and answers order_id, fraud_status, authorized_payment_method', async () => {
    const id = await createSession(t, { ...order, merchant_urls: { confirmation: 'https://shop.example/thanks?sid={session.id}&oid={order.id}' } });
    const auth = await authorize(t, id);
    const res = await createOrder(auth.authorization_token!);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ fraud_status: 'ACCEPTED', authorized_payment_method: { type: 'direct_debit' } });
    expect(body.redirect_url).toMatch(/\/payments\/v1\/redirect\//);
    expect((await t.request('GET', `/payments/v1/sessions/${id}`)).json().status).toBe('complete');
    const stored = await t.kassa.deps.engine.store.getAggregate<any>(t.merchant.accountId, 'order', body.order_id);
    expect(stored?.state).toMatchObject({ status: 'AUTHORIZED', order_amount: 10000, remaining_authorized_amount: 10000, captured_amount: 0 });
    const redirect = await t.kassa.app.inject({ method: 'GET', url: new URL(body.redirect_url).pathname });
    expect(redirect.statusCode).toBe(303);
    expect(redirect.headers.location).toBe(`https://shop.example/thanks?sid=${id}&oid=${body.order_id}`);
    // The session cannot be changed or authorized again.
    const update = await t.request('POST', `/payments/v1/sessions/${id}`, { body: { merchant_reference1: 'late' } });
    expect(update.statusCode).toBe(404);
    expect(update.json().error_code).toBe('SESSION_COMPLETED');
    expect((await t.request('POST', `/sandbox/v1/sessions/${id}/authorize`, { body: {} })).json().error_code).toBe('SESSION_COMPLETED');
  });

  it('answers the same order for a repeat with the same body, 409 for a different body', async () => {
    const id = await createSession(t);
    const { authorization_token: token } = await authorize(t, id);
    const first = await createOrder(token!);
    const again = await createOrder(token!);
    expect(again.statusCode).toBe(200);
    expect(again.json().order_id).toBe(first.json().order_id);
    const different = await createOrder(token!, { ...order, merchant_reference1: 'other' });
    expect(different.statusCode).toBe(409);
    expect(different.json().error_code).toBe('BAD_VALUE');
    expect(await t.kassa.deps.engine.store.listAggregates(t.merchant.accountId, 'order', { limit: 10 })).toHaveLength(1);
  });

  it('refuses data that does not match the authorization with 409 BAD_VALUE naming the fields', async () => {
    const id = await createSession(t);
    const { authorization_token: token } = await authorize(t, id);
    const res = await createOrder(token!, swedishOrder(20000));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error_code: 'BAD_VALUE' });
    expect(res.json().error_messages[0]).toContain('order_amount');
    expect(res.json().error_messages[0]).toContain('order_lines');
  });

  it('validates the order body like a session (400 before anything else)', async () => {
    const res = await createOrder('whatever', { ...order, order_amount: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_messages[0]).toContain('order_amount');
  });

  it('answers 403 REJECTED when the order names a declined customer', async () => {
    const id = await createSession(t);
    const { authorization_token: token } = await authorize(t, id);
    const res = await createOrder(token!, { ...order, billing_address: { email: 'customer+denied@email.se' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error_code).toBe('REJECTED');
    expect((await t.request('GET', `/payments/v1/sessions/${id}`)).json().status).toBe('incomplete');
  });

  it('answers 404 NOT_FOUND for an unknown token and for one older than 60 minutes', async () => {
    expect((await createOrder('no-such-token')).json()).toMatchObject({ error_code: 'NOT_FOUND', error_messages: ['Invalid authorization token'] });
    const id = await createSession(t);
    const { authorization_token: token } = await authorize(t, id);
    await t.advance(59 * 60);
    const stillValid = await authorize(t, await createSession(t));
    await t.advance(60);
    const res = await createOrder(token!);
    expect(res.statusCode).toBe(404);
    expect(res.json().error_code).toBe('NOT_FOUND');
    expect((await createOrder(stillValid.authorization_token!)).statusCode).toBe(200);
  });
});

describe('customer tokens and intents', () => {
  it('refuses a customer token for intent buy with 403 INVALID_OPERATION', async () => {
    const id = await createSession(t);
    const { authorization_token: token } = await authorize(t, id);
    const res = await t.request('POST', `/payments/v1/authorizations/${token}/customer-token`, { body: tokenBody });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error_code: 'INVALID_OPERATION', error_messages: ['Not allowed to create customer token for intent buy'] });
  });

  it('tokenize: creates a customer token once, completes the session, refuses an order', async () => {
    const id = await createSession(t, { ...order, intent: 'tokenize' });
    const { authorization_token: token } = await authorize(t, id);
    const res = await t.request('POST', `/payments/v1/authorizations/${token}/customer-token`, { body: tokenBody });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().token_id).toBeTruthy();
    expect((await t.request('GET', `/payments/v1/sessions/${id}`)).json().status).toBe('complete');
    const again = await t.request('POST', `/payments/v1/authorizations/${token}/customer-token`, { body: tokenBody });
    expect(again.statusCode).toBe(403);
    expect(again.json().error_messages).toEqual(['Authorization token already consumed']);
    const stored = await t.kassa.deps.engine.store.getAggregate<any>(t.merchant.accountId, 'customer_token', res.json().token_id);
    expect(stored?.state).toMatchObject({ status: 'ACTIVE', payment_method_type: 'INVOICE' });
  });

  it('tokenize: refuses an order with 403 INVALID_OPERATION', async () => {
    const id = await createSession(t, { ...order, intent: 'tokenize' });
    const { authorization_token: token } = await authorize(t, id);
    const res = await createOrder(token!);
    expect(res.statusCode).toBe(403);
    expect(res.json().error_code).toBe('INVALID_OPERATION');
  });

  it('buy_and_tokenize: one order and one customer token from the same token, in either order', async () => {
    const id = await createSession(t, { ...order, intent: 'buy_and_tokenize' });
    const { authorization_token: token } = await authorize(t, id);
    expect((await createOrder(token!)).statusCode).toBe(200);
    const ct = await t.request('POST', `/payments/v1/authorizations/${token}/customer-token`, { body: tokenBody });
    expect(ct.statusCode, ct.body).toBe(200);
    expect((await t.request('POST', `/payments/v1/authorizations/${token}/customer-token`, { body: tokenBody })).statusCode).toBe(403);

    const id2 = await createSession(t, { ...order, intent: 'buy_and_tokenize' });
    const { authorization_token: token2 } = await authorize(t, id2);
    expect((await t.request('POST', `/payments/v1/authorizations/${token2}/customer-token`, { body: tokenBody })).statusCode).toBe(200);
    expect((await createOrder(token2!)).statusCode).toBe(200);
  });

  it('refuses a customer token for another market than authorized (409)', async () => {
    const id = await createSession(t, { ...order, intent: 'tokenize' });
    const { authorization_token: token } = await authorize(t, id);
    const res = await t.request('POST', `/payments/v1/authorizations/${token}/customer-token`, { body: { ...tokenBody, purchase_country: 'NO', purchase_currency: 'NOK', locale: 'nb-NO' } });
    expect(res.statusCode).toBe(409);
  });
});

describe('cancel authorization', () => {
  it('answers 204, then the token is gone (404) for orders and cancels', async () => {
    const id = await createSession(t);
    const { authorization_token: token } = await authorize(t, id);
    const res = await t.request('DELETE', `/payments/v1/authorizations/${token}`);
    expect(res.statusCode).toBe(204);
    expect((await createOrder(token!)).statusCode).toBe(404);
    expect((await t.request('DELETE', `/payments/v1/authorizations/${token}`)).statusCode).toBe(404);
  });

  it('refuses to cancel a token that already made an order (403)', async () => {
    const { token } = await placeOrder(t);
    const res = await t.request('DELETE', `/payments/v1/authorizations/${token}`);
    expect(res.statusCode).toBe(403);
    expect(res.json().error_code).toBe('INVALID_OPERATION');
  });
});

describe('Klarna-Idempotency-Key', () => {
  it('replays the first response byte for byte with no second effect', async () => {
    const headers = { 'klarna-idempotency-key': 'a3c1f1d6-0d39-4f43-9f53-0b1f4b1c1e01' };
    const first = await t.request('POST', '/payments/v1/sessions', { body: order, headers });
    const second = await t.request('POST', '/payments/v1/sessions', { body: order, headers });
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await t.kassa.deps.engine.store.listAggregates(t.merchant.accountId, 'session', { limit: 10 })).toHaveLength(1);
  });

  it('is scoped to the account', async () => {
    const other = await t.createMerchant();
    const headers = { 'klarna-idempotency-key': 'shared-key' };
    const a = await t.request('POST', '/payments/v1/sessions', { body: order, headers });
    const b = await t.request('POST', '/payments/v1/sessions', { body: order, headers, merchant: other });
    expect(b.json().session_id).not.toBe(a.json().session_id);
  });

  it('answers 409 while the first request with the key is still in flight', async () => {
    // Hold the first request inside its commit, so it is certainly still in flight.
    const store = t.kassa.deps.engine.store;
    const commit = store.commit.bind(store);
    let release!: () => void;
    let entered!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inCommit = new Promise<void>((r) => (entered = r));
    store.commit = async (batch) => (entered(), await gate, commit(batch));
    const headers = { 'klarna-idempotency-key': 'in-flight-key' };
    const first = t.request('POST', '/payments/v1/sessions', { body: order, headers });
    await inCommit;
    const second = await t.request('POST', '/payments/v1/sessions', { body: order, headers });
    expect(second.statusCode).toBe(409);
    expect(second.json().error_code).toBe('CONFLICT');
    release();
    store.commit = commit;
    const done = await first;
    expect(done.statusCode).toBe(200);
    expect((await t.request('POST', '/payments/v1/sessions', { body: order, headers })).body).toBe(done.body);
  });

  it('keeps replaying after 24 h and refuses reuse on another operation', async () => {
    const headers = { 'klarna-idempotency-key': 'long-lived' };
    const first = await t.request('POST', '/payments/v1/sessions', { body: order, headers });
    await t.advance(24 * 3600);
    expect((await t.request('POST', '/payments/v1/sessions', { body: order, headers })).body).toBe(first.body);
    const other = await t.request('DELETE', '/payments/v1/authorizations/x', { headers });
    expect(other.statusCode).toBe(409);
  });

  it('does not store rejections: a corrected retry with the same key runs', async () => {
    const headers = { 'klarna-idempotency-key': 'fix-and-retry' };
    expect((await t.request('POST', '/payments/v1/sessions', { body: { ...order, order_amount: 1 }, headers })).statusCode).toBe(400);
    expect((await t.request('POST', '/payments/v1/sessions', { body: order, headers })).statusCode).toBe(200);
  });
});

describe('accounts and isolation', () => {
  it('answers 401 for missing or wrong credentials', async () => {
    const none = await t.request('POST', '/payments/v1/sessions', { body: order, merchant: null });
    expect(none.statusCode).toBe(401);
    expect(none.json().error_code).toBe('UNAUTHORIZED');
    const wrong = await t.request('POST', '/payments/v1/sessions', { body: order, merchant: { ...t.merchant, authorization: `Basic ${Buffer.from(`${t.merchant.username}:nope`).toString('base64')}` } });
    expect(wrong.statusCode).toBe(401);
  });

  it("answers 404 for another account's session and token", async () => {
    const other = await t.createMerchant();
    const id = await createSession(t);
    const { authorization_token: token } = await authorize(t, id);
    expect((await t.request('GET', `/payments/v1/sessions/${id}`, { merchant: other })).statusCode).toBe(404);
    expect((await t.request('POST', `/payments/v1/sessions/${id}`, { body: { merchant_reference1: 'x' }, merchant: other })).statusCode).toBe(404);
    expect((await t.request('POST', `/sandbox/v1/sessions/${id}/authorize`, { body: {}, merchant: other })).statusCode).toBe(404);
    expect((await t.request('POST', `/payments/v1/authorizations/${token}/order`, { body: order, merchant: other })).statusCode).toBe(404);
    expect((await t.request('DELETE', `/payments/v1/authorizations/${token}`, { merchant: other })).statusCode).toBe(404);
    expect((await createOrder(token!)).statusCode).toBe(200);
  });

  it('tells the caller its account id', async () => {
    const res = await t.request('GET', '/sandbox/v1/account');
    expect(res.json()).toEqual({ account_id: t.merchant.accountId, username: t.merchant.username });
    expect(t.merchant.accountId).toMatch(/^krn:partner:global:account:test:[A-Z0-9]{8}$/);
  });
});
