/**
 * Every refusal of the v2 payment request API, each with its status and v2 error body, and the
 * proof that a refusal wrote nothing (no new events, no webhook). Late signals on final requests
 * are the exception the seed asks for: answered (200, `ignored: true`), recorded, not applied.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectV2Error, purchase, startV2Kassa, type V2Kassa } from './support.js';

let k: V2Kassa;
beforeEach(async () => (k = await startV2Kassa()));
afterEach(async () => k.close());

const accountPath = () => `/v2/accounts/${k.merchant.accountId}/payment`;

async function inState(state: 'SUBMITTED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELED' | 'EXPIRED' | 'DECLINED'): Promise<any> {
  const pr = await k.stepUp();
  const id = pr.payment_request_id;
  if (state === 'SUBMITTED') return pr;
  if (state === 'CANCELED') return (await k.request('DELETE', `/v2/payment/requests/${id}`)).json();
  if (state === 'EXPIRED') {
    await k.advance(48 * 3600);
    return (await k.request('GET', `/v2/payment/requests/${id}`)).json();
  }
  await k.journey(id, 'enter');
  if (state === 'IN_PROGRESS') return (await k.request('GET', `/v2/payment/requests/${id}`)).json();
  if (state === 'DECLINED') return (await k.journey(id, 'decline')).json.payment_request;
  return (await k.journey(id, 'approve', { email: 'customer@email.de' })).json.payment_request;
}

/** Runs `act` and checks that it changed nothing durable. */
async function unchanged(id: string, act: () => Promise<void>): Promise<void> {
  const store = k.kassa.deps.engine.store;
  const before = await store.getAggregate(k.merchant.accountId, 'payment_request', id);
  const events = (await store.listEvents(k.merchant.accountId, 'payment_request', id)).length;
  const outbox = (await store.listOutbox(k.merchant.accountId, {}, { limit: 1000 })).length;
  await act();
  expect((await store.getAggregate(k.merchant.accountId, 'payment_request', id))?.version).toBe(before?.version);
  expect((await store.listEvents(k.merchant.accountId, 'payment_request', id)).length).toBe(events);
  expect((await store.listOutbox(k.merchant.accountId, {}, { limit: 1000 })).length).toBe(outbox);
}

describe('partner commands refused by the machine (409 INVALID_STATE)', () => {
  for (const state of ['IN_PROGRESS', 'COMPLETED', 'CANCELED', 'EXPIRED', 'DECLINED'] as const) {
    it(`PATCH in ${state}`, async () => {
      const pr = await inState(state);
      await unchanged(pr.payment_request_id, async () => {
        const r = await k.request('PATCH', `${accountPath()}/requests/${pr.payment_request_id}`, { body: { payment_request_reference: 'x' } });
        expect(r.statusCode).toBe(409);
        expectV2Error(r.json(), 'INVALID_STATE');
        expect(r.json()).toMatchObject({ error_type: 'RESOURCE_ERROR', error_message: expect.stringContaining(`in state ${state}`) });
      });
    });
  }
  for (const state of ['COMPLETED', 'CANCELED', 'EXPIRED', 'DECLINED'] as const) {
    it(`DELETE in ${state}`, async () => {
      const pr = await inState(state);
      await unchanged(pr.payment_request_id, async () => {
        const r = await k.request('DELETE', `/v2/payment/requests/${pr.payment_request_id}`);
        expect(r.statusCode).toBe(409);
        expectV2Error(r.json(), 'INVALID_STATE');
      });
    });
  }
});

describe('customer signals', () => {
  for (const action of ['approve', 'abort', 'decline'] as const) {
    it(`${action} before the customer entered the journey is refused (409)`, async () => {
      const pr = await inState('SUBMITTED');
      await unchanged(pr.payment_request_id, async () => {
        const r = await k.journey(pr.payment_request_id, action, action === 'approve' ? { email: 'customer@email.de' } : undefined);
        expect(r.status).toBe(409);
        expectV2Error(r.json, 'INVALID_STATE');
      });
    });
  }

  for (const state of ['COMPLETED', 'CANCELED', 'EXPIRED', 'DECLINED'] as const) {
    it(`late signals on ${state} are answered, recorded and ignored`, async () => {
      const pr = await inState(state);
      const id = pr.payment_request_id;
      await k.flush();
      const sent = k.transport.deliveries.length;
      for (const action of ['enter', 'approve', 'abort', 'decline']) {
        const r = await k.journey(id, action, action === 'approve' ? { email: 'customer@email.de' } : undefined);
        expect(r.status).toBe(200);
        expect(r.json).toMatchObject({ ignored: true, payment_request: { state } });
        expect(r.json.redirect_url).toBe('https://partner.example/return');
      }
      expect((await k.request('GET', `/v2/payment/requests/${id}`)).json()).toMatchObject({ state, state_reason: pr.state_reason, updated_at: pr.updated_at });
      const ignored = (await k.kassa.deps.engine.store.listEvents(k.merchant.accountId, 'payment_request', id)).filter((e) => e.type === 'payment_request.signal_ignored');
      expect(ignored.map((e) => (e.data as { signal: string }).signal)).toEqual(['enter', 'approve', 'abort', 'decline']);
      await k.flush();
      expect(k.transport.deliveries.length).toBe(sent);
    });
  }
});

describe('authorize with a token', () => {
  async function completedToken(): Promise<{ id: string; payment_token: string; session: string }> {
    const pr = await inState('COMPLETED');
    return { id: pr.payment_request_id, payment_token: pr.state_context.payment_token, session: pr.state_context.klarna_network_session_token };
  }

  it('refuses an unknown token (400 INVALID_TOKEN)', async () => {
    for (const header of ['klarna-payment-token', 'klarna-network-session-token']) {
      const r = await k.authorize(purchase(), { [header]: 'krn:payment:eu1:payment-token:nope' });
      expect(r.status).toBe(400);
      expectV2Error(r.json, 'INVALID_TOKEN', header === 'klarna-payment-token' ? 'Klarna-Payment-Token' : 'Klarna-Network-Session-Token');
    }
  });

  it("refuses another account's token as unknown", async () => {
    const { payment_token } = await completedToken();
    const other = await k.createMerchant();
    const r = await k.request('POST', `/v2/accounts/${other.accountId}/payment/authorize`, { merchant: other, body: purchase(), headers: { 'klarna-payment-token': payment_token } });
    expect(r.statusCode).toBe(400);
    expectV2Error(r.json(), 'INVALID_TOKEN', 'Klarna-Payment-Token');
    // …and the owner can still use it.
    expect((await k.authorize(purchase(), { 'klarna-payment-token': payment_token })).json.payment_transaction_response.result).toBe('APPROVED');
  });

  it('is single use: a second authorize with either token is refused (409 TOKEN_ALREADY_USED)', async () => {
    const t = await completedToken();
    expect((await k.authorize(purchase(), { 'klarna-network-session-token': t.session })).status).toBe(200);
    await unchanged(t.id, async () => {
      for (const headers of [{ 'klarna-network-session-token': t.session }, { 'klarna-payment-token': t.payment_token }] as Record<string, string>[]) {
        const r = await k.authorize(purchase(), headers);
        expect(r.status).toBe(409);
        expectV2Error(r.json, 'TOKEN_ALREADY_USED');
      }
    });
  });

  it('refuses a different currency or amount (409 CONFLICT) and both token headers at once (400)', async () => {
    const t = await completedToken();
    await unchanged(t.id, async () => {
      const currency = await k.authorize(purchase(11800, 'SEK'), { 'klarna-payment-token': t.payment_token });
      expect(currency.status).toBe(409);
      expectV2Error(currency.json, 'CONFLICT', 'currency');
      const amount = await k.authorize(purchase(11801), { 'klarna-payment-token': t.payment_token });
      expect(amount.status).toBe(409);
      expectV2Error(amount.json, 'CONFLICT', 'request_payment_transaction.amount');
      const both = await k.authorize(purchase(), { 'klarna-payment-token': t.payment_token, 'klarna-network-session-token': t.session });
      expect(both.status).toBe(400);
      expectV2Error(both.json, 'VALIDATION_ERROR', 'Klarna-Payment-Token');
    });
  });

  it('refuses an unknown customer token (400 INVALID_TOKEN)', async () => {
    const r = await k.authorize(purchase(), { 'klarna-customer-token': 'no-such-token' });
    expect(r.status).toBe(400);
    expectV2Error(r.json, 'INVALID_TOKEN', 'Klarna-Customer-Token');
  });
});

describe('addressing and bad input', () => {
  it('answers 404 for another partner account id in the path, on every route', async () => {
    const other = await k.createMerchant();
    const pr = await k.stepUp();
    const base = `/v2/accounts/${other.accountId}/payment`;
    for (const [method, url, body] of [
      ['POST', `${base}/authorize`, purchase()],
      ['GET', `${base}/requests/${pr.payment_request_id}`, undefined],
      ['PATCH', `${base}/requests/${pr.payment_request_id}`, { amount: 5 }],
      ['DELETE', `${base}/requests/${pr.payment_request_id}`, undefined],
    ] as const) {
      const r = await k.request(method, url, { body });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expectV2Error(r.json(), 'NOT_FOUND', 'partner_account_id');
    }
  });

  it("answers 404 for unknown ids and another account's request, in both path families", async () => {
    const pr = await k.stepUp();
    const other = await k.createMerchant();
    for (const [who, id] of [
      [k.merchant, 'krn:payment:eu1:request:00000000-0000-0000-0000-000000000000'],
      [other, pr.payment_request_id],
    ] as const) {
      for (const url of [`/v2/accounts/${who.accountId}/payment/requests/${id}`, `/v2/payment/requests/${id}`]) {
        for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
          const r = await k.request(method, url, { merchant: who, body: method === 'PATCH' ? { amount: 5 } : undefined });
          expect(r.statusCode, `${method} ${url}`).toBe(404);
          expectV2Error(r.json(), 'NOT_FOUND');
        }
      }
      const j = await k.request('POST', `/sandbox/v2/payment/requests/${id}/journey`, { merchant: who, body: { action: 'enter' } });
      expect(j.statusCode).toBe(404);
    }
    expect((await k.request('GET', `/v2/payment/requests/${pr.payment_request_id}`)).json().state).toBe('SUBMITTED');
  });

  it('answers 401 in the v2 shape without credentials', async () => {
    const r = await k.request('POST', `${accountPath()}/authorize`, { merchant: null, body: purchase() });
    expect(r.statusCode).toBe(401);
    expectV2Error(r.json(), 'UNAUTHORIZED');
  });

  const stepUp = (cfg: object) => ({ ...purchase(), step_up_config: { customer_interaction_config: cfg } });
  const badAuthorize: [string, unknown, string][] = [
    ['an unknown field', { ...purchase(), request_customer_tokn: {} }, 'request_customer_tokn'],
    ['a missing currency', { request_payment_transaction: { amount: 100 } }, 'currency'],
    ['a lower-case currency', { ...purchase(), currency: 'eur' }, 'currency'],
    ['an unsupported currency', { ...purchase(), currency: 'XXX' }, 'currency'],
    ['a zero amount', purchase(0), 'request_payment_transaction.amount'],
    ['a fractional amount', { currency: 'EUR', request_payment_transaction: { amount: 10.5 } }, 'request_payment_transaction.amount'],
    ['an amount given as a string', { currency: 'EUR', request_payment_transaction: { amount: '100' } }, 'request_payment_transaction.amount'],
    ['line items that do not add up', { ...purchase(100), supplementary_purchase_data: { line_items: [{ name: 'a', quantity: 1, total_amount: 99 }] } }, 'supplementary_purchase_data.line_items'],
    ['a relative return_url', stepUp({ return_url: '/back' }), 'step_up_config.customer_interaction_config.return_url'],
    ['a javascript: app_return_url', stepUp({ app_return_url: 'javascript:alert(1)' }), 'step_up_config.customer_interaction_config.app_return_url'],
    ['an interaction_expiry under 15 minutes', stepUp({ interaction_expiry: { duration: 'PT10M' } }), 'step_up_config.customer_interaction_config.interaction_expiry.duration'],
    ['an interaction_expiry over 48 hours', stepUp({ interaction_expiry: { duration: 'P3D' } }), 'step_up_config.customer_interaction_config.interaction_expiry.duration'],
    ['an interaction_expiry timestamp in the past', stepUp({ interaction_expiry: { timestamp: '2020-01-01T00:00:00Z' } }), 'step_up_config.customer_interaction_config.interaction_expiry.timestamp'],
    ['an interaction_expiry with both forms', stepUp({ interaction_expiry: { duration: 'PT1H', timestamp: '2026-01-15T11:00:00Z' } }), 'step_up_config.customer_interaction_config.interaction_expiry'],
    ['an unknown interaction method', stepUp({ method: 'POPUP' }), 'step_up_config.customer_interaction_config.method'],
  ];
  for (const [what, body, parameter] of badAuthorize) {
    it(`authorize refuses ${what} (400, naming ${parameter}) and writes nothing`, async () => {
      const before = await k.kassa.deps.engine.store.listAggregates(k.merchant.accountId, 'payment_request', { limit: 100 });
      const r = await k.authorize(body);
      expect(r.status).toBe(400);
      expectV2Error(r.json, 'VALIDATION_ERROR', parameter);
      expect(r.json.error_type).toBe('INPUT_ERROR');
      expect(await k.kassa.deps.engine.store.listAggregates(k.merchant.accountId, 'payment_request', { limit: 100 })).toEqual(before);
    });
  }

  it('PATCH refuses an empty body, bad fields and an out-of-range expiry; POST /v2/payment/requests validates too', async () => {
    const pr = await k.stepUp();
    const url = `/v2/payment/requests/${pr.payment_request_id}`;
    await unchanged(pr.payment_request_id, async () => {
      for (const [body, parameter] of [
        [{}, 'body'],
        [{ amount: -5 }, 'amount'],
        [{ state: 'COMPLETED' }, 'state'],
        [{ customer_interaction_config: { interaction_expiry: { duration: 'PT1M' } } }, 'customer_interaction_config.interaction_expiry.duration'],
        [{ amount: 50, supplementary_purchase_data: { line_items: [{ name: 'a', quantity: 1, total_amount: 49 }] } }, 'supplementary_purchase_data.line_items'],
      ] as const) {
        const r = await k.request('PATCH', url, { body });
        expect(r.statusCode, JSON.stringify(body)).toBe(400);
        expectV2Error(r.json(), 'VALIDATION_ERROR', parameter);
      }
    });
    const create = await k.request('POST', '/v2/payment/requests', { body: { currency: 'EUR' } });
    expect(create.statusCode).toBe(400);
    expectV2Error(create.json(), 'VALIDATION_ERROR', 'amount');
  });
});
