/**
 * A `Klarna-Idempotency-Key` answers only the request it was first used for (issue 17): the same
 * request again is replayed; a different body, another object's path or another operation under
 * the same key is refused with 409 CONFLICT naming the key, and nothing happens. Records stored
 * before request hashes existed keep replaying.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { swedishOrder } from '../fixtures/orders.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { capture, getOrder, newOrder, omPath } from '../support/om.js';

let t: TestKassa;
beforeEach(async () => {
  t = await startTestKassa();
});
afterEach(async () => t.close());

function expectReuseRefused(res: { statusCode: number; json(): any }, key: string) {
  expect(res.statusCode).toBe(409);
  expect(res.json().error_code).toBe('CONFLICT');
  expect(res.json().error_messages.join(' ')).toContain(`Klarna-Idempotency-Key ("${key}"`);
}

describe('the same key with a different request', () => {
  it('refuses a capture of another amount and captures only once', async () => {
    const id = await newOrder(t);
    const key = 'capture-key-1';
    const headers = { 'klarna-idempotency-key': key };
    expect((await capture(t, id, 1000, {}, headers)).statusCode).toBe(201);
    const reused = await capture(t, id, 5000, {}, headers);
    expectReuseRefused(reused, key);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
    const order = await getOrder(t, id);
    expect(order.captured_amount).toBe(1000);
    expect(order.captures).toHaveLength(1);
  });

  it('replays the same request, even with its keys in another order and other whitespace', async () => {
    const id = await newOrder(t);
    const headers = { 'klarna-idempotency-key': 'capture-key-2' };
    const first = await t.request('POST', omPath(id, '/captures'), { body: '{"captured_amount":1000,"description":"box 1"}', headers });
    const again = await t.request('POST', omPath(id, '/captures'), { body: '{ "description": "box 1",\n "captured_amount": 1000 }', headers });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['capture-id']).toBe(first.headers['capture-id']);
  });

  it('refuses the same operation on another object', async () => {
    const a = await newOrder(t);
    const b = await newOrder(t);
    const headers = { 'klarna-idempotency-key': 'capture-key-3' };
    expect((await capture(t, a, 1000, {}, headers)).statusCode).toBe(201);
    expectReuseRefused(await capture(t, b, 1000, {}, headers), 'capture-key-3');
    expect((await getOrder(t, b)).captured_amount).toBe(0);
  });

  it('refuses a session created with another body', async () => {
    const headers = { 'klarna-idempotency-key': 'session-key' };
    expect((await t.request('POST', '/payments/v1/sessions', { body: swedishOrder(), headers })).statusCode).toBe(200);
    expectReuseRefused(await t.request('POST', '/payments/v1/sessions', { body: { ...swedishOrder(), merchant_reference1: 'other' }, headers }), 'session-key');
    expect(await t.kassa.deps.engine.store.listAggregates(t.merchant.accountId, 'session', { limit: 10 })).toHaveLength(1);
  });

  it('refuses a v2 webhook created with another body, in the v2 error shape', async () => {
    const headers = { 'klarna-idempotency-key': 'webhook-key' };
    const signing_key_id = (await t.request('POST', '/v2/notification/signing-keys')).json().signing_key_id;
    const hook = (url: string) => ({ url, event_types: ['*'], event_version: 'v2', signing_key_id, status: 'ENABLED' });
    expect((await t.request('POST', '/v2/notification/webhooks', { body: hook('https://partner.example/a'), headers })).statusCode).toBe(201);
    const reused = await t.request('POST', '/v2/notification/webhooks', { body: hook('https://partner.example/b'), headers });
    expect(reused.statusCode).toBe(409);
    expect(reused.json()).toMatchObject({ error_type: 'RESOURCE_ERROR', error_code: 'CONFLICT', errors: [{ parameter: 'Klarna-Idempotency-Key' }] });
  });

  it('refuses a merchant-role order opened with another cart', async () => {
    const headers = { 'klarna-idempotency-key': 'merchant-key' };
    expect((await t.request('POST', '/merchant/v1/orders', { body: swedishOrder(), headers })).statusCode).toBe(201);
    expectReuseRefused(await t.request('POST', '/merchant/v1/orders', { body: swedishOrder(20000), headers }), 'merchant-key');
  });
});

describe('records stored before request hashes', () => {
  it('keep replaying whatever the body', async () => {
    const store = t.kassa.deps.engine.store;
    await store.commit({
      idempotency: { accountId: t.merchant.accountId, key: 'old-key', scope: 'POST /payments/v1/sessions', statusCode: 200, headers: {}, body: '{"session_id":"old"}', createdAt: 1 },
    });
    const res = await t.request('POST', '/payments/v1/sessions', { body: swedishOrder(), headers: { 'klarna-idempotency-key': 'old-key' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.json()).toEqual({ session_id: 'old' });
  });
});
