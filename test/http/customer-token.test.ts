/**
 * Customer Token API v1 (reference §3) and the recurring flow end to end: tokenize a session,
 * generate a customer token (Payments v1), charge it twice, manage the orders through Order
 * Management, cancel the token, and see the next charge refused — in-process and over a real
 * socket. Plus validation, idempotency, personas, account isolation and the token machine.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { customerTokenMachine } from '../../src/domain/customer-token/customer-token-machine.js';
import type { CustomerTokenEvent } from '../../src/domain/customer-token/customer-token-machine.js';
import type { CustomerTokenState, CustomerTokenStatus } from '../../src/domain/customer-token/customer-token-state.js';
import { swedishOrder } from '../fixtures/orders.js';
import { createSession } from '../support/flows.js';
import { startTestKassa, type Merchant, type TestKassa } from '../support/harness.js';
import { capture, drainOutbox, expectError, getOrder, omPath } from '../support/om.js';

let t: TestKassa;
beforeEach(async () => {
  t = await startTestKassa();
});
afterEach(async () => t.close());

const tokenBody = { description: 'Monthly coffee', intended_use: 'SUBSCRIPTION', locale: 'sv-SE', purchase_country: 'SE', purchase_currency: 'SEK' };
const tokenPath = (token: string, rest = '') => `/customer-token/v1/tokens/${token}${rest}`;

function tokenOrder(amount = 2500) {
  const { purchase_country: _country, locale: _locale, ...order } = swedishOrder(amount);
  return { ...order, order_lines: order.order_lines.map((l) => ({ ...l, subscription: { name: 'Coffee', interval: 'MONTH', interval_count: 1 } })) };
}

/** tokenize session -> sandbox authorize -> generate customer token; returns the token id. */
async function newCustomerToken(options: { email?: string; merchant?: Merchant } = {}): Promise<string> {
  const sessionId = await createSession(t, { ...swedishOrder(), intent: 'tokenize' }, options.merchant);
  const auth = await t.request('POST', `/sandbox/v1/sessions/${sessionId}/authorize`, {
    body: options.email ? { billing_address: { email: options.email } } : {},
    merchant: options.merchant,
  });
  expect(auth.json().approved, auth.body).toBe(true);
  const res = await t.request('POST', `/payments/v1/authorizations/${auth.json().authorization_token}/customer-token`, { body: tokenBody, merchant: options.merchant });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().token_id as string;
}

/** Rewrites a stored token (what an operator or a test fixture would do). */
async function rewriteToken(tokenId: string, change: (token: CustomerTokenState) => CustomerTokenState): Promise<void> {
  const engine = t.kassa.deps.engine;
  const account = (await engine.store.getAccount(t.merchant.accountId))!;
  await engine.execute(account, 'test', async (uow) => {
    const token = (await uow.load<CustomerTokenState>('customer_token', tokenId))!;
    uow.put('customer_token', tokenId, change(token));
  });
}

type Call = (method: string, url: string, body?: unknown) => Promise<{ status: number; json: () => any }>;

/** The recurring flow of issue 3, against any transport. */
async function recurringFlow(call: Call, tokenId: string): Promise<void> {
  const read = await call('GET', tokenPath(tokenId));
  expect(read.status).toBe(200);
  expect(read.json()).toEqual({ status: 'ACTIVE', payment_method_type: 'INVOICE' });

  const first = await call('POST', tokenPath(tokenId, '/order'), { ...tokenOrder(2500), merchant_reference1: 'sub-1-jan' });
  expect(first.status).toBe(200);
  expect(first.json()).toEqual({ order_id: expect.any(String), fraud_status: 'ACCEPTED', authorized_payment_method: { type: 'invoice', number_of_days: 30 } });
  const second = await call('POST', tokenPath(tokenId, '/order'), { ...tokenOrder(2500), auto_capture: true });
  expect(second.status).toBe(200);
  expect(second.json().order_id).not.toBe(first.json().order_id);

  const o1 = await call('GET', omPath(first.json().order_id));
  expect(o1.json()).toMatchObject({ status: 'AUTHORIZED', order_amount: 2500, merchant_reference1: 'sub-1-jan', purchase_country: 'SE', locale: 'sv-SE', initial_payment_method: { type: 'INVOICE' } });
  expect((await call('POST', omPath(first.json().order_id, '/captures'), { captured_amount: 2500 })).status).toBe(201);
  expect((await call('GET', omPath(first.json().order_id))).json().status).toBe('CAPTURED');
  expect((await call('GET', omPath(second.json().order_id))).json()).toMatchObject({ status: 'CAPTURED', captured_amount: 2500 });

  const cancel = await call('PATCH', tokenPath(tokenId, '/status'), { status: 'CANCELLED' });
  expect(cancel.status).toBe(202);
  expect((await call('GET', tokenPath(tokenId))).json().status).toBe('CANCELLED');
  const refused = await call('POST', tokenPath(tokenId, '/order'), tokenOrder(2500));
  expect(refused.status).toBe(403);
  expect(refused.json().error_code).toBe('CUSTOMER_TOKEN_NOT_ACTIVE');
  expect((await call('PATCH', tokenPath(tokenId, '/status'), { status: 'CANCELLED' })).status).toBe(202);
}

describe('recurring flow', () => {
  it('tokenize -> customer token -> two orders (one auto-captured) -> cancel token -> refused, in-process', async () => {
    const tokenId = await newCustomerToken();
    await recurringFlow(async (method, url, body) => {
      const res = await t.request(method, url, { body });
      return { status: res.statusCode, json: () => res.json() };
    }, tokenId);
  });

  it('the same flow over a real socket', async () => {
    const tokenId = await newCustomerToken();
    const address = await t.kassa.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      await recurringFlow(async (method, url, body) => {
        const res = await fetch(`${address}${url}`, {
          method,
          headers: { authorization: t.merchant.authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, json: () => JSON.parse(text) };
      }, tokenId);
    } finally {
      await t.kassa.app.close();
    }
  });
});

describe('create order with a customer token', () => {
  it('answers redirect_url only when a confirmation URL is given, and keeps merchant URLs on the order', async () => {
    const tokenId = await newCustomerToken();
    const res = await t.request('POST', tokenPath(tokenId, '/order'), { body: { ...tokenOrder(), merchant_urls: { confirmation: 'https://shop.example/thanks/{order.id}' } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().redirect_url).toBe(`${t.config.publicUrl}/payments/v1/redirect/${res.json().order_id}`);
    const follow = await t.request('GET', `/payments/v1/redirect/${res.json().order_id}`, { merchant: null });
    expect(follow.statusCode).toBe(303);
    expect(follow.headers.location).toBe(`https://shop.example/thanks/${res.json().order_id}`);
  });

  it('validates the order like any order (400 BAD_VALUE naming the field) and writes nothing', async () => {
    const tokenId = await newCustomerToken();
    const order = tokenOrder(2500);
    expectError(await t.request('POST', tokenPath(tokenId, '/order'), { body: { ...order, order_amount: 2600 } }), 400, 'BAD_VALUE', /order_amount/);
    expectError(await t.request('POST', tokenPath(tokenId, '/order'), { body: { ...order, order_tax_amount: 1 } }), 400, 'BAD_VALUE', /order_tax_amount/);
    expectError(await t.request('POST', tokenPath(tokenId, '/order'), { body: { ...order, purchase_currency: 'EUR' } }), 400, 'BAD_VALUE', /purchase_currency/);
    expectError(await t.request('POST', tokenPath(tokenId, '/order'), { body: { ...order, purchase_country: 'NO' } }), 400, 'BAD_VALUE', /purchase_country/);
    expectError(await t.request('POST', tokenPath(tokenId, '/order'), { body: { ...order, locale: 'swedish' } }), 400, 'BAD_VALUE', /locale/);
    const { order_tax_amount: _tax, ...noTax } = order;
    expectError(await t.request('POST', tokenPath(tokenId, '/order'), { body: noTax }), 400, 'BAD_VALUE', /order_tax_amount/);
    expectError(await t.request('POST', tokenPath(tokenId, '/order'), { body: { ...order, order_lines: [{ ...order.order_lines[0], total_amount: 1 }] } }), 400, 'BAD_VALUE', /order_lines\[0\]\.total_amount/);
    const events = await t.kassa.deps.engine.store.listEvents(t.merchant.accountId, 'customer_token', tokenId);
    expect(events.filter((e) => e.type === 'customer_token.charged')).toHaveLength(0);
  });

  it('honours Klarna-Idempotency-Key: a repeat answers the same order and charges once', async () => {
    const tokenId = await newCustomerToken();
    const headers = { 'klarna-idempotency-key': '0b8a2a1e-6d4f-4f7c-9a55-000000000042' };
    const a = await t.request('POST', tokenPath(tokenId, '/order'), { body: tokenOrder(), headers });
    const b = await t.request('POST', tokenPath(tokenId, '/order'), { body: tokenOrder(), headers });
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(b.body).toBe(a.body);
    expect(b.headers['idempotent-replayed']).toBe('true');
    const events = await t.kassa.deps.engine.store.listEvents(t.merchant.accountId, 'customer_token', tokenId);
    expect(events.filter((e) => e.type === 'customer_token.charged')).toHaveLength(1);
  });

  it("decides each charge on the token's customer: a pending-review persona gives a PENDING order", async () => {
    const tokenId = await newCustomerToken({ email: 'customer+pend-accept-02@email.se' });
    const res = await t.request('POST', tokenPath(tokenId, '/order'), { body: { ...tokenOrder(), merchant_urls: { notification: 'https://shop.example/notify' } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().fraud_status).toBe('PENDING');
    const orderId = res.json().order_id;
    expectError(await capture(t, orderId, 100), 403, 'CAPTURE_NOT_ALLOWED');
    await t.advance(120);
    await drainOutbox(t);
    expect((await getOrder(t, orderId)).fraud_status).toBe('ACCEPTED');
    expect(JSON.parse(t.transport.deliveries[0]!.body)).toMatchObject({ order_id: orderId, event_type: 'FRAUD_RISK_ACCEPTED' });
  });

  it('a declined decision is 403 REJECTED with fraud_status and reason in the error body', async () => {
    const tokenId = await newCustomerToken();
    await rewriteToken(tokenId, (token) => ({ ...token, internal: { ...token.internal, subject: { email: 'customer+denied@email.se' } } }));
    const res = await t.request('POST', tokenPath(tokenId, '/order'), { body: tokenOrder() });
    expectError(res, 403, 'REJECTED');
    expect(res.json()).toMatchObject({ fraud_status: 'REJECTED', reason: 'denied' });
  });

  it('a suspended token (sandbox helper) refuses orders (403 CUSTOMER_TOKEN_NOT_ACTIVE) and can still be cancelled', async () => {
    const tokenId = await newCustomerToken();
    const suspend = await t.request('POST', `/sandbox/v1/customer-tokens/${tokenId}/status`, { body: { status: 'SUSPENDED' } });
    expect(suspend.statusCode, suspend.body).toBe(200);
    expect(suspend.json()).toEqual({ status: 'SUSPENDED', payment_method_type: 'INVOICE' });
    expect((await t.request('GET', tokenPath(tokenId))).json().status).toBe('SUSPENDED');
    expectError(await t.request('POST', tokenPath(tokenId, '/order'), { body: tokenOrder() }), 403, 'CUSTOMER_TOKEN_NOT_ACTIVE', /SUSPENDED/);
    expect((await t.request('PATCH', tokenPath(tokenId, '/status'), { body: { status: 'CANCELLED' } })).statusCode).toBe(202);
    expect((await t.request('GET', tokenPath(tokenId))).json().status).toBe('CANCELLED');
  });
});

describe('read and cancel', () => {
  it('answers 404 NOT_FOUND "Invalid customer-token ID" for unknown tokens', async () => {
    expectError(await t.request('GET', tokenPath('nope')), 404, 'NOT_FOUND', 'Invalid customer-token ID');
    expectError(await t.request('POST', tokenPath('nope', '/order'), { body: tokenOrder() }), 404, 'NOT_FOUND', 'Invalid customer-token ID');
    expectError(await t.request('PATCH', tokenPath('nope', '/status'), { body: { status: 'CANCELLED' } }), 404, 'NOT_FOUND', 'Invalid customer-token ID');
  });

  it('accepts only status CANCELLED (400 BAD_VALUE otherwise)', async () => {
    const tokenId = await newCustomerToken();
    expectError(await t.request('PATCH', tokenPath(tokenId, '/status'), { body: { status: 'ACTIVE' } }), 400, 'BAD_VALUE', /status/);
    expectError(await t.request('PATCH', tokenPath(tokenId, '/status'), { body: {} }), 400, 'BAD_VALUE', /status/);
    expect((await t.request('GET', tokenPath(tokenId))).json().status).toBe('ACTIVE');
  });

  it("keeps tokens to the account that made them: another account's token is 404 on all three operations", async () => {
    const tokenId = await newCustomerToken();
    const other = await t.createMerchant();
    expectError(await t.request('GET', tokenPath(tokenId), { merchant: other }), 404, 'NOT_FOUND');
    expectError(await t.request('POST', tokenPath(tokenId, '/order'), { body: tokenOrder(), merchant: other }), 404, 'NOT_FOUND');
    expectError(await t.request('PATCH', tokenPath(tokenId, '/status'), { body: { status: 'CANCELLED' }, merchant: other }), 404, 'NOT_FOUND');
    expect((await t.request('GET', tokenPath(tokenId))).json().status).toBe('ACTIVE');
    expectError(await t.request('GET', tokenPath(tokenId), { merchant: null }), 401, 'UNAUTHORIZED');
  });
});

describe('every transition of the customer token machine', () => {
  const reach: Record<CustomerTokenStatus, () => Promise<string>> = {
    ACTIVE: () => newCustomerToken(),
    SUSPENDED: async () => {
      const id = await newCustomerToken();
      expect((await t.request('POST', `/sandbox/v1/customer-tokens/${id}/status`, { body: { status: 'SUSPENDED' } })).statusCode).toBe(200);
      return id;
    },
    CANCELLED: async () => {
      const id = await newCustomerToken();
      await t.request('PATCH', tokenPath(id, '/status'), { body: { status: 'CANCELLED' } });
      return id;
    },
  };
  const sandboxStatus = async (id: string, status: string) =>
    expect((await t.request('POST', `/sandbox/v1/customer-tokens/${id}/status`, { body: { status } })).statusCode).toBe(200);
  const act: Record<CustomerTokenEvent, (id: string) => Promise<void>> = {
    charge: async (id) => expect((await t.request('POST', tokenPath(id, '/order'), { body: tokenOrder() })).statusCode).toBe(200),
    cancel: async (id) => expect((await t.request('PATCH', tokenPath(id, '/status'), { body: { status: 'CANCELLED' } })).statusCode).toBe(202),
    suspend: (id) => sandboxStatus(id, 'SUSPENDED'),
    resume: (id) => sandboxStatus(id, 'ACTIVE'),
  };
  for (const tr of customerTokenMachine.transitions) {
    it(`${tr.from} ${tr.event} -> ${tr.to}`, async () => {
      const id = await reach[tr.from]();
      await act[tr.event](id);
      expect((await t.request('GET', tokenPath(id))).json().status).toBe(tr.to);
    });
  }
  for (const state of customerTokenMachine.states) {
    if (customerTokenMachine.transitions.some((tr) => tr.from === state && tr.event === 'charge')) continue;
    it(`${state} charge -> 403 CUSTOMER_TOKEN_NOT_ACTIVE`, async () => {
      const id = await reach[state]();
      expectError(await t.request('POST', tokenPath(id, '/order'), { body: tokenOrder() }), 403, 'CUSTOMER_TOKEN_NOT_ACTIVE');
    });
  }
  it('a cancelled token cannot be suspended or resumed (403 INVALID_OPERATION)', async () => {
    const id = await reach.CANCELLED();
    expectError(await t.request('POST', `/sandbox/v1/customer-tokens/${id}/status`, { body: { status: 'SUSPENDED' } }), 403, 'INVALID_OPERATION');
  });
});
