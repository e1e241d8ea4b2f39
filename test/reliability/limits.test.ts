/**
 * Bounded resources: every limit in src/domain/limits.ts that a client or the workers can reach is
 * tested at its bound (accepted / fully processed) and one beyond it (refused cleanly, or processed
 * in more than one batch). The merchant role's limits, the transport timeouts and the group commit
 * are in limits-merchant.test.ts. A limit that neither file names fails the last test, so a new
 * limit gets a test the day it is added.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KassaError } from '../../src/domain/errors.js';
import { limits } from '../../src/domain/limits.js';
import { Engine } from '../../src/app/engine.js';
import { ManualClock, cryptoRandom } from '../../src/app/ports.js';
import { nextAttemptAt } from '../../src/outbox/retry-policy.js';
import { ConcurrencyConflict } from '../../src/store/port.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { swedishOrder } from '../fixtures/orders.js';
import { createSession, placeOrder } from '../support/flows.js';
import { startTestKassa, startTime, type Merchant, type TestKassa } from '../support/harness.js';
import pino from 'pino';
import { purgeExpiredIdempotency } from '../../src/app/maintenance.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let t: TestKassa;
beforeAll(async () => {
  t = await startTestKassa();
});
afterAll(async () => t.close());

/** Reads a limit; the last test checks (in this file's source) that every limit is named here in quotes. */
const bound = (name: keyof typeof limits) => limits[name];

/** An order of `n` one-unit lines (totals add up). */
function orderWithLines(n: number) {
  const line = { type: 'physical', name: 'Line', quantity: 1, unit_price: 100, tax_rate: 0, total_amount: 100, total_tax_amount: 0 };
  return { purchase_country: 'SE', purchase_currency: 'SEK', locale: 'sv-SE', order_amount: 100 * n, order_tax_amount: 0, order_lines: Array.from({ length: n }, () => line) };
}

describe('request limits', () => {
  it('bodyBytesMax: a body of exactly the limit is read, one byte more is 413', async () => {
    const max = bound('bodyBytesMax');
    const base = JSON.stringify({ ...swedishOrder(), x_pad: '' });
    const at = base.replace('"x_pad":""', `"x_pad":"${'p'.repeat(max - base.length)}"`);
    expect(Buffer.byteLength(at)).toBe(max);
    const ok = await t.request('POST', '/payments/v1/sessions', { body: at });
    expect(ok.statusCode, ok.body.slice(0, 200)).toBe(200);
    const over = await t.request('POST', '/payments/v1/sessions', { body: at.replace('"x_pad":"', '"x_pad":"p') });
    expect(over.statusCode).toBe(413);
    expect(over.json().error_code).toBe('REQUEST_TOO_LARGE');
  });

  it('jsonDepthMax: nesting at the limit is accepted, one level more is 400', async () => {
    const max = bound('jsonDepthMax');
    const nest = (levels: number): unknown => (levels === 0 ? 1 : { a: nest(levels - 1) });
    // The body object itself is the first level.
    expect((await t.request('POST', '/payments/v1/sessions', { body: { ...swedishOrder(), x: nest(max - 1) } })).statusCode).toBe(200);
    const over = await t.request('POST', '/payments/v1/sessions', { body: { ...swedishOrder(), x: nest(max) } });
    expect(over.statusCode).toBe(400);
    expect(over.json().error_code).toBe('BAD_REQUEST');
  });

  it('orderLinesMax: 1000 order lines are accepted, 1001 are 400 naming order_lines', async () => {
    const max = bound('orderLinesMax');
    expect((await t.request('POST', '/payments/v1/sessions', { body: orderWithLines(max) })).statusCode).toBe(200);
    const over = await t.request('POST', '/payments/v1/sessions', { body: orderWithLines(max + 1) });
    expect(over.statusCode).toBe(400);
    expect(over.json().error_messages.join(' ')).toContain('order_lines');
  });

  it('amountMax: amounts up to the limit are accepted, one more is 400', async () => {
    const max = bound('amountMax');
    const order = (amount: number) => ({ ...orderWithLines(1), order_amount: amount, order_lines: [{ name: 'Big', quantity: 1, unit_price: amount, tax_rate: 0, total_amount: amount, total_tax_amount: 0 }] });
    expect((await t.request('POST', '/payments/v1/sessions', { body: order(max) })).statusCode).toBe(200);
    expect((await t.request('POST', '/payments/v1/sessions', { body: order(max + 1) })).statusCode).toBe(400);
  });

  it('idLengthMax: a path id of the limit is looked up (404), one more is 400', async () => {
    const max = bound('idLengthMax');
    expect((await t.request('GET', `/payments/v1/sessions/${'a'.repeat(max)}`)).statusCode).toBe(404);
    expect((await t.request('GET', `/payments/v1/sessions/${'a'.repeat(max + 1)}`)).statusCode).toBe(400);
  });

  it('idempotencyKeyLengthMax: a key of the limit works, one more is 400', async () => {
    const max = bound('idempotencyKeyLengthMax');
    const at = await t.request('POST', '/payments/v1/sessions', { body: swedishOrder(), headers: { 'klarna-idempotency-key': 'k'.repeat(max) } });
    expect(at.statusCode).toBe(200);
    const over = await t.request('POST', '/payments/v1/sessions', { body: swedishOrder(), headers: { 'klarna-idempotency-key': 'k'.repeat(max + 1) } });
    expect(over.statusCode).toBe(400);
  });

  it('usernameCharsMax: a username over the limit is simply unknown (401)', async () => {
    const max = bound('usernameCharsMax');
    const merchant = await t.createMerchant(`u${'x'.repeat(max - 1)}`);
    expect((await t.request('GET', '/sandbox/v1/account', { merchant })).statusCode).toBe(200);
    const over = `Basic ${Buffer.from(`${'x'.repeat(max + 1)}:whatever-password`).toString('base64')}`;
    expect((await t.request('GET', '/sandbox/v1/account', { merchant: null, headers: { authorization: over } })).statusCode).toBe(401);
  });

  it.each([
    ['merchantDataCharsMax', 'merchant_data'],
    ['merchantReferenceCharsMax', 'merchant_reference1'],
  ] as const)('%s: %s at the limit is accepted, one more character is 400', async (name, field) => {
    const max = bound(name);
    expect((await t.request('POST', '/payments/v1/sessions', { body: { ...swedishOrder(), [field]: 'm'.repeat(max) } })).statusCode).toBe(200);
    const over = await t.request('POST', '/payments/v1/sessions', { body: { ...swedishOrder(), [field]: 'm'.repeat(max + 1) } });
    expect(over.statusCode).toBe(400);
    expect(over.json().error_messages.join(' ')).toContain(field);
  });

  it('merchantUrlCharsMax: a merchant URL at the limit is accepted, one more character is 400', async () => {
    const max = bound('merchantUrlCharsMax');
    const url = (n: number) => `https://shop.example/${'u'.repeat(n - 'https://shop.example/'.length)}`;
    expect((await t.request('POST', '/payments/v1/sessions', { body: { ...swedishOrder(), merchant_urls: { confirmation: url(max) } } })).statusCode).toBe(200);
    expect((await t.request('POST', '/payments/v1/sessions', { body: { ...swedishOrder(), merchant_urls: { confirmation: url(max + 1) } } })).statusCode).toBe(400);
  });

  it.each([
    ['orderLineNameCharsMax', 'name'],
    ['orderLineReferenceCharsMax', 'reference'],
    ['quantityUnitCharsMax', 'quantity_unit'],
    ['productUrlCharsMax', 'product_url'],
  ] as const)('%s: order line %s at the limit is accepted, one more character is 400', async (name, field) => {
    const max = bound(name);
    const body = (n: number) => {
      const o = swedishOrder();
      return { ...o, order_lines: [{ ...o.order_lines[0], [field]: 'q'.repeat(n) }] };
    };
    expect((await t.request('POST', '/payments/v1/sessions', { body: body(max) })).statusCode).toBe(200);
    const over = await t.request('POST', '/payments/v1/sessions', { body: body(max + 1) });
    expect(over.statusCode).toBe(400);
    expect(over.json().error_messages.join(' ')).toContain(`order_lines[0].${field}`);
  });

  it('clockAdvanceSecondsMax: an advance of the limit works, one second more is 400', async () => {
    const max = bound('clockAdvanceSecondsMax');
    const merchant = await t.createMerchant();
    expect((await t.advance(max, merchant)).statusCode).toBe(200);
    expect((await t.advance(max + 1, merchant)).statusCode).toBe(400);
  });
});

describe('per-order limits', () => {
  it('capturesPerOrderMax: the 200th capture is taken, the 201st is 403', async () => {
    const max = bound('capturesPerOrderMax');
    const { orderId } = await placeOrder(t, swedishOrder(max + 100));
    for (let i = 0; i < max; i++) {
      const r = await t.request('POST', `/ordermanagement/v1/orders/${orderId}/captures`, { body: { captured_amount: 1 } });
      expect(r.statusCode, r.body).toBe(201);
    }
    const over = await t.request('POST', `/ordermanagement/v1/orders/${orderId}/captures`, { body: { captured_amount: 1 } });
    expect(over.statusCode).toBe(403);
    expect(over.json().error_code).toBe('CAPTURE_NOT_ALLOWED');
  });

  it('refundsPerOrderMax: the 200th refund is taken, the 201st is 403', async () => {
    const max = bound('refundsPerOrderMax');
    const { orderId } = await placeOrder(t, swedishOrder(max + 100));
    expect((await t.request('POST', `/ordermanagement/v1/orders/${orderId}/captures`, { body: { captured_amount: max + 100 } })).statusCode).toBe(201);
    for (let i = 0; i < max; i++) {
      const r = await t.request('POST', `/ordermanagement/v1/orders/${orderId}/refunds`, { body: { refunded_amount: 1 } });
      expect(r.statusCode, r.body).toBe(201);
    }
    const over = await t.request('POST', `/ordermanagement/v1/orders/${orderId}/refunds`, { body: { refunded_amount: 1 } });
    expect(over.statusCode).toBe(403);
    expect(over.json().error_code).toBe('REFUND_NOT_ALLOWED');
  });

  it('shippingInfoMax: 500 shipping entries are accepted, one more is 400', async () => {
    const max = bound('shippingInfoMax');
    const { orderId } = await placeOrder(t);
    const entries = (n: number) => ({ shipping_info: Array.from({ length: n }, (_, i) => ({ shipping_company: 'Post', tracking_number: `T${i}` })) });
    expect((await t.request('POST', `/ordermanagement/v1/orders/${orderId}/shipping-info`, { body: entries(max) })).statusCode).toBe(204);
    expect((await t.request('POST', `/ordermanagement/v1/orders/${orderId}/shipping-info`, { body: entries(1) })).statusCode).toBe(400);
    const { orderId: other } = await placeOrder(t);
    expect((await t.request('POST', `/ordermanagement/v1/orders/${other}/shipping-info`, { body: entries(max + 1) })).statusCode).toBe(400);
  });
});

describe('v2 limits', () => {
  const hook = (signingKeyId: string, extra: object = {}) => ({ url: 'https://partner.example/hooks', event_types: ['*'], event_version: 'v2', signing_key_id: signingKeyId, status: 'ENABLED', ...extra });
  const newKey = async (merchant: Merchant) => (await t.request('POST', '/v2/notification/signing-keys', { merchant })).json().signing_key_id as string;

  it('signingKeysPerAccountMax: the 50th signing key is created, the 51st is 409 LIMIT_EXCEEDED', async () => {
    const max = bound('signingKeysPerAccountMax');
    const merchant = await t.createMerchant();
    for (let i = 0; i < max; i++) expect((await t.request('POST', '/v2/notification/signing-keys', { merchant })).statusCode).toBe(201);
    const over = await t.request('POST', '/v2/notification/signing-keys', { merchant });
    expect(over.statusCode).toBe(409);
    expect(over.json().error_code).toBe('LIMIT_EXCEEDED');
  });

  it('webhooksPerAccountMax: the 100th webhook is created, the 101st is 409 LIMIT_EXCEEDED', async () => {
    const max = bound('webhooksPerAccountMax');
    const merchant = await t.createMerchant();
    const key = await newKey(merchant);
    for (let i = 0; i < max; i++) expect((await t.request('POST', '/v2/notification/webhooks', { merchant, body: hook(key) })).statusCode).toBe(201);
    const over = await t.request('POST', '/v2/notification/webhooks', { merchant, body: hook(key) });
    expect(over.statusCode).toBe(409);
    expect(over.json().error_code).toBe('LIMIT_EXCEEDED');
  });

  it('pageSizeMax: the delivery log answers at most a page, whatever limit is asked for', async () => {
    const max = bound('pageSizeMax');
    const merchant = await t.createMerchant();
    const id = (await t.request('POST', '/v2/notification/webhooks', { merchant, body: hook(await newKey(merchant)) })).json().webhook_id;
    for (let i = 0; i < max + 5; i++) {
      expect((await t.request('POST', `/v2/notification/webhooks/${id}/simulate`, { merchant, body: { event_type: 'payment.request.updated' } })).statusCode).toBe(202);
    }
    const page = async (query: string) => (await t.request('GET', `/v2/notification/webhooks/${id}/deliveries${query}`, { merchant })).json().deliveries.length;
    expect(await page('')).toBe(max);
    expect(await page(`?limit=${max}`)).toBe(max);
    expect(await page(`?limit=${max + 1}`)).toBe(max);
    expect(await page('?limit=3')).toBe(3);
    expect((await t.request('GET', `/v2/notification/webhooks/${id}/deliveries?limit=0`, { merchant })).statusCode).toBe(400);
  });

  it('webhookUrlCharsMax: a webhook URL at the limit is accepted, one more character is 400', async () => {
    const max = bound('webhookUrlCharsMax');
    const merchant = await t.createMerchant();
    const key = await newKey(merchant);
    const url = (n: number) => `https://partner.example/${'h'.repeat(n - 'https://partner.example/'.length)}`;
    expect((await t.request('POST', '/v2/notification/webhooks', { merchant, body: hook(key, { url: url(max) }) })).statusCode).toBe(201);
    const over = await t.request('POST', '/v2/notification/webhooks', { merchant, body: hook(key, { url: url(max + 1) }) });
    expect(over.statusCode).toBe(400);
  });

  it('webhookEventTypesMax: 50 event types pass the count check, 51 are 400', async () => {
    const max = bound('webhookEventTypesMax');
    const merchant = await t.createMerchant();
    const key = await newKey(merchant);
    const types = (n: number) => Array.from({ length: n }, () => 'payment.request.updated');
    // At the bound the list is refused for its duplicates (naming one), not for its length.
    const at = await t.request('POST', '/v2/notification/webhooks', { merchant, body: hook(key, { event_types: types(max) }) });
    expect(at.statusCode).toBe(400);
    expect(at.json().errors.map((e: { parameter: string }) => e.parameter)).toContain('event_types[1]');
    const over = await t.request('POST', '/v2/notification/webhooks', { merchant, body: hook(key, { event_types: types(max + 1) }) });
    expect(over.statusCode).toBe(400);
    expect(over.json().errors.map((e: { parameter: string }) => e.parameter)).toContain('event_types');
  });

  const request = (extra: object) => ({ currency: 'EUR', amount: 5000, payment_request_reference: 'limits', customer_interaction_config: { return_url: 'https://partner.example/r' }, ...extra });

  it('paymentReferenceCharsMax: a reference at the limit is accepted, one more character is 400', async () => {
    const max = bound('paymentReferenceCharsMax');
    expect((await t.request('POST', '/v2/payment/requests', { body: request({ payment_request_reference: 'r'.repeat(max) }) })).statusCode).toBe(201);
    expect((await t.request('POST', '/v2/payment/requests', { body: request({ payment_request_reference: 'r'.repeat(max + 1) }) })).statusCode).toBe(400);
  });

  it('returnUrlCharsMax: a return URL at the limit is accepted, one more character is 400', async () => {
    const max = bound('returnUrlCharsMax');
    const url = (n: number) => `https://partner.example/${'r'.repeat(n - 'https://partner.example/'.length)}`;
    expect((await t.request('POST', '/v2/payment/requests', { body: request({ customer_interaction_config: { return_url: url(max) } }) })).statusCode).toBe(201);
    expect((await t.request('POST', '/v2/payment/requests', { body: request({ customer_interaction_config: { return_url: url(max + 1) } }) })).statusCode).toBe(400);
  });

  it('lineItemsMax: 1000 line items are accepted, 1001 are 400', async () => {
    const max = bound('lineItemsMax');
    const items = (n: number) => ({ supplementary_purchase_data: { line_items: Array.from({ length: n }, () => ({ name: 'Item', quantity: 1, total_amount: 5 })) } });
    expect((await t.request('POST', '/v2/payment/requests', { body: request(items(max)) })).statusCode).toBe(201);
    expect((await t.request('POST', '/v2/payment/requests', { body: request(items(max + 1)) })).statusCode).toBe(400);
  });
});

describe('worker batches', () => {
  it('timerBatchSize: more timers due at once than one batch all fire, each once', async () => {
    const batch = bound('timerBatchSize');
    const merchant = await t.createMerchant();
    const ids: string[] = [];
    for (let i = 0; i < batch + 5; i++) ids.push(await createSession(t, swedishOrder(), merchant));
    const adv = await t.advance(49 * 3600, merchant);
    expect(adv.json().timers_fired).toBe(batch + 5);
    expect(await t.kassa.deps.engine.store.countTimers(merchant.accountId)).toBe(0);
    for (const id of [ids[0]!, ids[batch]!, ids[batch + 4]!]) {
      const events = await t.kassa.deps.engine.store.listEvents(merchant.accountId, 'session', id);
      expect(events.filter((e) => e.type === 'session.expired')).toHaveLength(1);
    }
  });

  it('clockAdvanceDueCountMax: an advance reports at most the limit but fires every due timer', async () => {
    const max = bound('clockAdvanceDueCountMax');
    const merchant = await t.createMerchant();
    const store = t.kassa.deps.engine.store;
    const timersAdd = Array.from({ length: max + 1 }, (_, i) => ({
      id: `limit-timer-${i}`,
      accountId: merchant.accountId,
      dueAt: startTime + 1000,
      kind: 'session.expire',
      aggregateType: 'session',
      aggregateId: `no-such-session-${i}`,
      payload: {},
    }));
    await store.commit({ timersAdd });
    const adv = await t.advance(10, merchant);
    expect(adv.json().timers_fired).toBe(max);
    expect(await store.countTimers(merchant.accountId)).toBe(0);
  }, 120_000);

  it('outboxBatchSize: more callbacks due at once than one batch are all delivered', async () => {
    const batch = bound('outboxBatchSize');
    const merchant = await t.createMerchant();
    const before = t.transport.deliveries.length;
    for (let i = 0; i < batch + 5; i++) {
      const id = await createSession(t, { ...swedishOrder(), merchant_urls: { authorization: `https://shop.example/auth/${i}` } }, merchant);
      expect((await t.request('POST', `/sandbox/v1/sessions/${id}/authorize`, { body: {}, merchant })).statusCode).toBe(200);
    }
    const account = (await t.kassa.deps.engine.store.getAccount(merchant.accountId))!;
    await t.kassa.deps.outbox.drain(account);
    expect(t.transport.deliveries.length - before).toBe(batch + 5);
  });
});

describe('engine and delivery limits', () => {
  it('commitRetriesMax / commitRetryDelayMsMax: a command that always loses its race is retried that many times, backing off at most the cap, then 409 CONFLICT', async () => {
    const max = bound('commitRetriesMax');
    const delayCap = bound('commitRetryDelayMsMax');
    const delays: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return realSetTimeout(fn, 0);
    }) as typeof setTimeout);
    const store = new SqliteStore({ path: ':memory:' });
    let commits = 0;
    store.commit = async () => {
      commits++;
      throw new ConcurrencyConflict('always');
    };
    const engine = new Engine({ store, clock: new ManualClock(startTime), random: { ...cryptoRandom, fraction: () => 0.999999 }, logger: pino({ level: 'silent' }) });
    const account = { id: 'a', username: 'a', secretHash: 'x', createdAt: 0, clockOffsetMs: 0, isDefault: false };
    store.getAccount = async () => account;
    const run = engine.execute(account, 'c', async (uow) => uow.event('order', 'o', 'x'));
    await expect(run).rejects.toSatisfy((e: unknown) => e instanceof KassaError && e.code === 'CONFLICT');
    spy.mockRestore();
    expect(commits).toBe(max);
    expect(delays).toHaveLength(max - 1);
    expect(Math.max(...delays)).toBeLessThanOrEqual(delayCap);
    expect(Math.max(...delays)).toBeGreaterThan(delayCap * 0.99); // the back-off grows until the cap holds it
    await store.close();
  });

  it('webhookRetryWindowMs: retries are scheduled up to the window, never beyond it', () => {
    const windowMs = bound('webhookRetryWindowMs');
    const created = 0;
    expect(nextAttemptAt(created, 1, windowMs - 60_000, 0)).toBeLessThanOrEqual(created + windowMs);
    expect(nextAttemptAt(created, 30, windowMs, 0)).toBeUndefined();
  });
});

describe('idempotency records', () => {
  it('idempotencyTtlMs: a record is replayed until the TTL has passed, then purged', async () => {
    const ttl = bound('idempotencyTtlMs');
    const headers = { 'klarna-idempotency-key': 'ttl-key' };
    const first = await t.request('POST', '/payments/v1/sessions', { body: swedishOrder(), headers });
    const store = t.kassa.deps.engine.store;
    t.clock.advance(ttl - 1000);
    expect(await purgeExpiredIdempotency(store, t.clock)).toBe(0);
    expect((await t.request('POST', '/payments/v1/sessions', { body: swedishOrder(), headers })).body).toBe(first.body);
    t.clock.advance(2000);
    expect(await purgeExpiredIdempotency(store, t.clock)).toBeGreaterThanOrEqual(1);
    expect(await store.getIdempotency(t.merchant.accountId, 'ttl-key')).toBeUndefined();
  });
});

describe('requests log and metrics', () => {
  const logOf = async (m: Merchant = t.merchant) => t.kassa.deps.requestLog.list(m.accountId, { limit: 1 });

  it('requestLogBodyCharsMax: a body of the limit is kept whole, one character more is cut with a mark', async () => {
    const max = bound('requestLogBodyCharsMax');
    const base = JSON.stringify({ ...swedishOrder(), x_pad: '' });
    const body = (pad: number) => ({ ...swedishOrder(), x_pad: 'p'.repeat(pad) });
    await t.request('POST', '/payments/v1/sessions', { body: body(max - base.length) });
    expect((await logOf())[0]!.requestBody).toBe(JSON.stringify(body(max - base.length)));
    await t.request('POST', '/payments/v1/sessions', { body: body(max - base.length + 1) });
    const cut = (await logOf())[0]!.requestBody!;
    expect(cut.length).toBeLessThanOrEqual(max);
    expect(cut).toMatch(/… \[truncated: \d+ characters\]$/);
  });

  it('requestLogPathCharsMax: a path of the limit is kept whole, one character more is cut', async () => {
    const max = bound('requestLogPathCharsMax');
    const base = '/sandbox/v1/account?q=';
    await t.request('GET', base + 'p'.repeat(max - base.length));
    expect((await logOf())[0]!.path.length).toBe(max);
    await t.request('GET', base + 'p'.repeat(max - base.length + 1));
    const cut = (await logOf())[0]!.path;
    expect(cut.length).toBeLessThanOrEqual(max);
    expect(cut).toMatch(/truncated/);
  });

  it('requestLogPerAccountMax: an account keeps that many entries, the oldest going first', async () => {
    const m = await t.createMerchant();
    const max = bound('requestLogPerAccountMax');
    const entry = (n: number) => ({ id: `lim-${String(n).padStart(5, '0')}`, accountId: m.accountId, at: n, method: 'GET', path: '/x', route: '/x', statusCode: 200, durationMs: 0, correlationId: `lim-${n}` });
    for (let n = 0; n < max; n++) t.kassa.deps.requestLog.record(entry(n));
    await t.kassa.deps.requestLog.flush();
    expect((await t.kassa.deps.engine.store.listRequestLog(m.accountId, { limit: max + 1 })).length).toBe(max);
    t.kassa.deps.requestLog.record(entry(max));
    const kept = await t.kassa.deps.requestLog.list(m.accountId, { limit: 1 });
    expect(kept[0]!.id).toBe(entry(max).id);
    const all = await t.kassa.deps.engine.store.listRequestLog(m.accountId, { limit: max + 1 });
    expect(all.length).toBe(max);
    expect(all.at(-1)!.id).toBe(entry(1).id);
  });

  it('requestLogFlushIntervalMs: an entry is written within the interval, with nobody asking', async () => {
    const m = await t.createMerchant();
    await t.request('GET', '/sandbox/v1/account', { merchant: m });
    expect(await t.kassa.deps.engine.store.listRequestLog(m.accountId, { limit: 5 })).toEqual([]); // not on the request's path
    await new Promise((resolve) => setTimeout(resolve, bound('requestLogFlushIntervalMs') + 100));
    expect((await t.kassa.deps.engine.store.listRequestLog(m.accountId, { limit: 5 })).length).toBe(1);
  });

  it('metricsCountMax: the backlog figures count up to the limit', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const max = bound('metricsCountMax');
    await store.createAccount({ id: 'acc', username: 'acc', secretHash: 'x', createdAt: 0, clockOffsetMs: 0, isDefault: false });
    const timer = (i: number) => ({ id: `t${i}`, accountId: 'acc', dueAt: 1, kind: 'k', aggregateType: 'a', aggregateId: 'a', payload: {} });
    await store.commit({ timersAdd: Array.from({ length: max }, (_, i) => timer(i)) });
    expect((await store.countBacklog(10)).timersDue).toBe(max);
    await store.commit({ timersAdd: [timer(max)] });
    expect((await store.countBacklog(10)).timersDue).toBe(max);
    await store.close();
  });
});

describe('every limit has a test', () => {
  // The SQLite store's own bounds are tested where the machinery to hold them exists: syncs held by
  // hand (wal-sync) and a write lock held by another connection (sqlite-write-lock); the requests
  // log's buffer bounds with a store that refuses writes by hand (request-log-buffer); PostgreSQL's
  // group size, groups in flight and connect timeout in its own suites.
  // The sign-in throttle's limits are tested in its own suites (the module and over HTTP), and the
  // outbound response cap where a local server can send it.
  const suites = ['./limits.test.ts', './limits-merchant.test.ts', '../store/wal-sync.test.ts', '../store/sqlite-write-lock.test.ts', '../http/request-log-buffer.test.ts', '../app/sign-in-throttle.test.ts', '../http/sign-in-throttle.test.ts', '../outbound/guarded-http.test.ts', '../store/sqlite-read-cache.test.ts', '../app/credential-cache.test.ts', '../http/request-logger.test.ts', '../store/postgres-group-commit.test.ts', '../store/postgres-outage.test.ts', '../store/sqlite-exclusive-lock.test.ts'];
  it('names every limit in src/domain/limits.ts (here, in limits-merchant.test.ts, the SQLite and PostgreSQL store suites, the requests log, the sign-in throttle, the caches\' or the logger\'s own tests)', () => {
    const source = suites.map((f) => readFileSync(fileURLToPath(new URL(f, import.meta.url)), 'utf8')).join('\n');
    const untested = Object.keys(limits).filter((k) => !source.includes(`'${k}'`) && !source.includes(`limits.${k}`));
    expect(untested).toEqual([]);
  });
});
