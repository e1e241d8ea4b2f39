/**
 * Payments v1 sessions over HTTP (in-process): create, read, update, every validation rule with
 * its field, payment method categories, expiry on the test clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { germanOrderWithDiscount, swedishOrder, usOrder } from '../fixtures/orders.js';
import { createSession } from '../support/flows.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa;
beforeEach(async () => (t = await startTestKassa()));
afterEach(async () => t.close());

type Mutator = (o: any) => void;

async function expectBadValue(mutate: Mutator, field: string, base: () => any = swedishOrder) {
  const body = base();
  mutate(body);
  const res = await t.request('POST', '/payments/v1/sessions', { body });
  expect(res.statusCode, res.body).toBe(400);
  const json = res.json();
  expect(json.error_code).toBe('BAD_VALUE');
  expect(json.error_messages.join(' ')).toContain(field);
  expect(json.correlation_id).toBe(res.headers['klarna-correlation-id']);
}

describe('create session', () => {
  it('answers session_id, a JWT client_token naming the session, and payment method categories', async () => {
    const res = await t.request('POST', '/payments/v1/sessions', { body: swedishOrder() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.session_id).toMatch(/^[0-9a-f-]{36}$/);
    const claims = await t.kassa.deps.clientTokens.verify(body.client_token);
    expect(claims).toEqual({ sessionId: body.session_id, accountId: t.merchant.accountId });
    expect(body.payment_method_categories.map((c: any) => c.identifier)).toEqual(['pay_now', 'pay_later', 'pay_over_time']);
    expect(res.headers['klarna-correlation-id']).toBeTruthy();
  });

  it.each([
    ['discount lines', germanOrderWithDiscount],
    ['US sales tax line', usOrder],
  ])('accepts %s', async (_name, order) => {
    const res = await t.request('POST', '/payments/v1/sessions', { body: order() });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('offers categories by country and amount (matrix in docs/payment-methods.md)', async () => {
    const us = await t.request('POST', '/payments/v1/sessions', { body: usOrder() });
    expect(us.json().payment_method_categories.map((c: any) => c.identifier)).toEqual(['pay_later', 'pay_over_time']);
    const small = await t.request('POST', '/payments/v1/sessions', { body: swedishOrder(2000) });
    expect(small.json().payment_method_categories.map((c: any) => c.identifier)).toEqual(['pay_now', 'pay_later']);
    const tokenize = await t.request('POST', '/payments/v1/sessions', { body: { ...swedishOrder(), intent: 'tokenize' } });
    expect(tokenize.json().payment_method_categories.map((c: any) => c.identifier)).toEqual(['pay_later']);
  });

  describe('refuses with 400 BAD_VALUE naming the field', () => {
    it.each<[string, Mutator, string]>([
      ['missing purchase_country', (o) => delete o.purchase_country, 'purchase_country'],
      ['missing purchase_currency', (o) => delete o.purchase_currency, 'purchase_currency'],
      ['missing order_amount', (o) => delete o.order_amount, 'order_amount'],
      ['missing order_lines', (o) => delete o.order_lines, 'order_lines'],
      ['empty order_lines', (o) => (o.order_lines = []), 'order_lines'],
      ['unknown country', (o) => (o.purchase_country = 'ZZ'), 'purchase_country'],
      ['malformed country', (o) => (o.purchase_country = 'SWE'), 'purchase_country'],
      ['currency of another market', (o) => (o.purchase_currency = 'EUR'), 'purchase_currency'],
      ['malformed locale', (o) => (o.locale = 'swedish'), 'locale'],
      ['fractional amount', (o) => (o.order_amount = 100.5), 'order_amount'],
      ['string amount', (o) => (o.order_amount = '10000'), 'order_amount'],
      ['negative order_amount', (o) => (o.order_amount = -1), 'order_amount'],
      ['unsafe integer', (o) => (o.order_lines[0].unit_price = 2 ** 60), 'order_lines[0].unit_price'],
      ['line total != qty × price − discount', (o) => (o.order_lines[0].total_amount = 9999), 'order_lines[0].total_amount'],
      ['line tax off by 2', (o) => (o.order_lines[0].total_tax_amount = 2002), 'order_lines[0].total_tax_amount'],
      ['order_amount != Σ lines', (o) => (o.order_amount = 10001), 'order_amount'],
      ['order_tax_amount != Σ line tax', (o) => (o.order_tax_amount = 1999), 'order_tax_amount'],
      ['negative quantity', (o) => (o.order_lines[0].quantity = -1), 'order_lines[0].quantity'],
      ['tax_rate above 100 %', (o) => (o.order_lines[0].tax_rate = 10001), 'order_lines[0].tax_rate'],
      ['empty line name', (o) => (o.order_lines[0].name = ''), 'order_lines[0].name'],
      ['unknown line type', (o) => (o.order_lines[0].type = 'spaceship'), 'order_lines[0].type'],
      ['sales_tax line outside the US', (o) => o.order_lines.push({ type: 'sales_tax', name: 'Tax', quantity: 1, unit_price: 0, total_amount: 0 }), 'order_lines[1].type'],
      ['quantity_unit too long', (o) => (o.order_lines[0].quantity_unit = '123456789'), 'order_lines[0].quantity_unit'],
      ['reference too long', (o) => (o.order_lines[0].reference = 'x'.repeat(257)), 'order_lines[0].reference'],
      ['merchant_reference1 too long', (o) => (o.merchant_reference1 = 'x'.repeat(256)), 'merchant_reference1'],
      ['merchant_data too long', (o) => (o.merchant_data = 'x'.repeat(6001)), 'merchant_data'],
      ['merchant_urls.confirmation too long', (o) => (o.merchant_urls = { confirmation: `https://x/${'a'.repeat(2000)}` }), 'merchant_urls.confirmation'],
      ['product_url too long', (o) => (o.order_lines[0].product_url = `https://x/${'a'.repeat(1020)}`), 'order_lines[0].product_url'],
      ['bad intent', (o) => (o.intent = 'steal'), 'intent'],
      ['billing country malformed', (o) => (o.billing_address = { country: 'Sweden' }), 'billing_address.country'],
      ['1001 order lines', (o) => (o.order_lines = Array.from({ length: 1001 }, () => ({ ...o.order_lines[0] }))), 'order_lines'],
    ])('%s', async (_name, mutate, field) => expectBadValue(mutate, field));

    it('US lines carrying tax_rate', async () => expectBadValue((o) => (o.order_lines[0].tax_rate = 800), 'order_lines[0].tax_rate', usOrder));
    it('US order_tax_amount not the sales tax line', async () => expectBadValue((o) => (o.order_tax_amount = 0), 'order_tax_amount', usOrder));
    it('discount line with a positive amount', async () =>
      expectBadValue((o) => Object.assign(o.order_lines[1], { unit_price: 1000, total_amount: 1000, total_tax_amount: 160 }), 'order_lines[1].total_amount', germanOrderWithDiscount));
  });

  it('accepts exactly 1000 order lines', async () => {
    const line = { name: 'Pin', quantity: 1, unit_price: 100, tax_rate: 2500, total_amount: 100, total_tax_amount: 20 };
    const body = { ...swedishOrder(), order_amount: 100_000, order_tax_amount: 20_000, order_lines: Array.from({ length: 1000 }, () => line) };
    expect((await t.request('POST', '/payments/v1/sessions', { body })).statusCode).toBe(200);
  });

  it('refuses malformed JSON, a wrong content type and an oversized body with a 4xx, writing nothing', async () => {
    const bad = await t.kassa.app.inject({ method: 'POST', url: '/payments/v1/sessions', headers: { authorization: t.merchant.authorization, 'content-type': 'application/json' }, payload: '{"purchase_country":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error_code).toBe('BAD_REQUEST');
    const proto = await t.kassa.app.inject({ method: 'POST', url: '/payments/v1/sessions', headers: { authorization: t.merchant.authorization, 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1}}' });
    expect(proto.statusCode).toBe(400);
    const text = await t.kassa.app.inject({ method: 'POST', url: '/payments/v1/sessions', headers: { authorization: t.merchant.authorization, 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
    const huge = await t.kassa.app.inject({ method: 'POST', url: '/payments/v1/sessions', headers: { authorization: t.merchant.authorization, 'content-type': 'application/json' }, payload: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error_code).toBe('REQUEST_TOO_LARGE');
    expect(await t.kassa.deps.engine.store.listAggregates(t.merchant.accountId, 'session', { limit: 10 })).toEqual([]);
  });
});

describe('read and update session', () => {
  it('reads back what was sent, with status incomplete and expires_at 48 h ahead', async () => {
    const id = await createSession(t, { ...swedishOrder(), merchant_reference1: 'ref-1' });
    const res = await t.request('GET', `/payments/v1/sessions/${id}`);
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s).toMatchObject({ session_id: id, status: 'incomplete', order_amount: 10000, merchant_reference1: 'ref-1', intent: 'buy', acquiring_channel: 'ECOMMERCE' });
    expect(Date.parse(s.expires_at) - t.clock.now()).toBe(48 * 3600_000);
    expect(s.internal).toBeUndefined();
  });

  it('updates with 204 and validates the merged data', async () => {
    const id = await createSession(t);
    const ok = await t.request('POST', `/payments/v1/sessions/${id}`, { body: { ...swedishOrder(20000), merchant_reference2: 'r2' } });
    expect(ok.statusCode).toBe(204);
    expect(ok.body).toBe('');
    expect((await t.request('GET', `/payments/v1/sessions/${id}`)).json()).toMatchObject({ order_amount: 20000, merchant_reference2: 'r2' });
    const bad = await t.request('POST', `/payments/v1/sessions/${id}`, { body: { order_amount: 5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error_messages[0]).toContain('order_amount');
    expect((await t.request('GET', `/payments/v1/sessions/${id}`)).json().order_amount).toBe(20000);
  });

  it('answers 404 NOT_FOUND for an unknown id', async () => {
    const res = await t.request('GET', '/payments/v1/sessions/00000000-0000-0000-0000-000000000000');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error_code: 'NOT_FOUND', error_messages: ['Invalid session id'] });
  });

  it('expires an incomplete session after 48 h on the test clock', async () => {
    const id = await createSession(t);
    await t.advance(48 * 3600 - 1);
    expect((await t.request('GET', `/payments/v1/sessions/${id}`)).statusCode).toBe(200);
    const adv = await t.advance(1);
    expect(adv.json().timers_fired).toBeGreaterThanOrEqual(1);
    const gone = await t.request('GET', `/payments/v1/sessions/${id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error_code).toBe('NOT_FOUND');
    expect((await t.request('POST', `/payments/v1/sessions/${id}`, { body: { merchant_reference1: 'x' } })).statusCode).toBe(404);
    expect((await t.request('POST', `/sandbox/v1/sessions/${id}/authorize`, { body: {} })).statusCode).toBe(404);
  });
});

describe('test clock', () => {
  it('reads and moves forward only', async () => {
    const before = (await t.request('GET', '/sandbox/v1/clock')).json();
    expect(before.offset_seconds).toBe(0);
    const after = (await t.advance(90)).json();
    expect(Date.parse(after.now) - Date.parse(before.now)).toBe(90_000);
    expect((await t.request('POST', '/sandbox/v1/clock/advance', { body: { seconds: -5 } })).statusCode).toBe(400);
  });

  it('is per account', async () => {
    const other = await t.createMerchant();
    await t.advance(3600);
    expect((await t.request('GET', '/sandbox/v1/clock', { merchant: other })).json().offset_seconds).toBe(0);
  });

  it('does not exist in live mode', async () => {
    const live = await startTestKassa({ env: { KASSA_MODE: 'live' } });
    try {
      expect((await live.request('GET', '/sandbox/v1/clock')).statusCode).toBe(404);
      expect((await live.request('GET', '/sandbox/v1/account')).statusCode).toBe(404);
    } finally {
      await live.close();
    }
  });
});
