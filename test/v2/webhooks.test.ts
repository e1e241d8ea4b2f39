/**
 * The webhook platform: signing keys, subscriptions (with wildcards and the sandbox/live URL
 * rules), the v2 envelope, signatures checked by an independent HMAC, at-least-once delivery
 * with back-off on the account clock, the 12-hour window, the delivery log and manual replay,
 * simulate, and the publishEvent helper other features call.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishEvent } from '../../src/app/webhooks/publish.js';
import { orderIdOf, publishTransactionStateChange } from '../../src/app/payment-requests/payment-transaction.js';
import type { OrderState } from '../../src/domain/order/order-state.js';
import { webhookEventTypes } from '../../src/domain/webhooks/event-types.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { expectV2Error, startV2Kassa, verify, type V2Kassa } from './support.js';

describe('signing keys', () => {
  let k: TestKassa;
  beforeEach(async () => (k = await startTestKassa()));
  afterEach(async () => k.close());

  it('shows the secret only at creation; lists, reads and deletes keys', async () => {
    const created = await k.request('POST', '/v2/notification/signing-keys');
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key).toEqual({ signing_key_id: expect.any(String), signing_key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), created_at: '2026-01-15T10:00:00.000Z' });
    const list = await k.request('GET', '/v2/notification/signing-keys');
    expect(list.json()).toEqual({ signing_keys: [{ signing_key_id: key.signing_key_id, created_at: key.created_at }] });
    expect(list.body).not.toContain(key.signing_key);
    const read = await k.request('GET', `/v2/notification/signing-keys/${key.signing_key_id}`);
    expect(read.json()).toEqual({ signing_key_id: key.signing_key_id, created_at: key.created_at });
    expect((await k.request('DELETE', `/v2/notification/signing-keys/${key.signing_key_id}`)).statusCode).toBe(204);
    expect((await k.request('GET', '/v2/notification/signing-keys')).json()).toEqual({ signing_keys: [] });
    const gone = await k.request('DELETE', `/v2/notification/signing-keys/${key.signing_key_id}`);
    expect(gone.statusCode).toBe(404);
    expectV2Error(gone.json(), 'NOT_FOUND');
  });

  it('allows at most 50 keys per account', async () => {
    for (let i = 0; i < 50; i++) expect((await k.request('POST', '/v2/notification/signing-keys')).statusCode).toBe(201);
    const r = await k.request('POST', '/v2/notification/signing-keys');
    expect(r.statusCode).toBe(409);
    expectV2Error(r.json(), 'LIMIT_EXCEEDED');
    expect((await k.request('GET', '/v2/notification/signing-keys')).json().signing_keys).toHaveLength(50);
    const other = await k.createMerchant();
    expect((await k.request('POST', '/v2/notification/signing-keys', { merchant: other })).statusCode).toBe(201);
  });

  it('refuses to delete a key a webhook uses, and hides keys from other accounts', async () => {
    const key = (await k.request('POST', '/v2/notification/signing-keys')).json();
    const hook = (await k.request('POST', '/v2/notification/webhooks', { body: { url: 'https://p.example/h', event_types: ['*'], signing_key_id: key.signing_key_id } })).json();
    const r = await k.request('DELETE', `/v2/notification/signing-keys/${key.signing_key_id}`);
    expect(r.statusCode).toBe(409);
    expectV2Error(r.json(), 'RESOURCE_IN_USE');
    expect(r.json().error_message).toContain(hook.webhook_id);
    const other = await k.createMerchant();
    expect((await k.request('GET', `/v2/notification/signing-keys/${key.signing_key_id}`, { merchant: other })).statusCode).toBe(404);
    expect((await k.request('DELETE', `/v2/notification/signing-keys/${key.signing_key_id}`, { merchant: other })).statusCode).toBe(404);
  });
});

describe('webhook subscriptions', () => {
  let k: TestKassa;
  let keyId: string;
  beforeEach(async () => {
    k = await startTestKassa();
    keyId = (await k.request('POST', '/v2/notification/signing-keys')).json().signing_key_id;
  });
  afterEach(async () => k.close());

  it('creates, reads, lists, updates and deletes', async () => {
    const body = { url: 'https://p.example/hooks', event_types: ['payment.request.*'], event_version: 'v2', signing_key_id: keyId, status: 'ENABLED' };
    const created = await k.request('POST', '/v2/notification/webhooks', { body });
    expect(created.statusCode).toBe(201);
    const hook = created.json();
    expect(hook).toEqual({ ...body, webhook_id: expect.any(String), created_at: '2026-01-15T10:00:00.000Z', updated_at: '2026-01-15T10:00:00.000Z' });
    expect((await k.request('GET', `/v2/notification/webhooks/${hook.webhook_id}`)).json()).toEqual(hook);
    expect((await k.request('GET', '/v2/notification/webhooks')).json()).toEqual({ webhooks: [hook] });
    k.clock.advance(1000);
    const patched = await k.request('PATCH', `/v2/notification/webhooks/${hook.webhook_id}`, { body: { status: 'DISABLED', event_types: ['payment.*'] } });
    expect(patched.json()).toEqual({ ...hook, status: 'DISABLED', event_types: ['payment.*'], updated_at: '2026-01-15T10:00:01.000Z' });
    expect((await k.request('DELETE', `/v2/notification/webhooks/${hook.webhook_id}`)).statusCode).toBe(204);
    const gone = await k.request('GET', `/v2/notification/webhooks/${hook.webhook_id}`);
    expect(gone.statusCode).toBe(404);
    expectV2Error(gone.json(), 'NOT_FOUND');
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['an unknown event type', { event_types: ['payment.request.state-change.finished'] }, 'event_types[0]'],
    ['a wildcard matching nothing', { event_types: ['order.*'] }, 'event_types[0]'],
    ['a duplicate event type', { event_types: ['payment.*', 'payment.*'] }, 'event_types[1]'],
    ['no event types', { event_types: [] }, 'event_types'],
    ['an unknown signing key', { signing_key_id: 'nope' }, 'signing_key_id'],
    ['event_version v1', { event_version: 'v1' }, 'event_version'],
    ['plain http to another host', { url: 'http://p.example/hooks' }, 'url'],
    ['a relative URL', { url: '/hooks' }, 'url'],
    ['credentials in the URL', { url: 'https://user:pw@p.example/hooks' }, 'url'],
    ['an unknown field', { secret: 'x' }, 'secret'],
  ];
  for (const [what, change, parameter] of bad) {
    it(`refuses ${what} (400 naming ${parameter})`, async () => {
      const r = await k.request('POST', '/v2/notification/webhooks', { body: { url: 'https://p.example/hooks', event_types: ['*'], signing_key_id: keyId, ...change } });
      expect(r.statusCode).toBe(400);
      expectV2Error(r.json(), 'VALIDATION_ERROR', parameter);
      expect((await k.request('GET', '/v2/notification/webhooks')).json()).toEqual({ webhooks: [] });
    });
  }

  it('allows at most 100 webhooks per account', async () => {
    for (let i = 0; i < 100; i++) {
      expect((await k.request('POST', '/v2/notification/webhooks', { body: { url: `https://p.example/h${i}`, event_types: ['*'], signing_key_id: keyId } })).statusCode).toBe(201);
    }
    const r = await k.request('POST', '/v2/notification/webhooks', { body: { url: 'https://p.example/one-more', event_types: ['*'], signing_key_id: keyId } });
    expect(r.statusCode).toBe(409);
    expectV2Error(r.json(), 'LIMIT_EXCEEDED');
  });

  it('allows http to localhost and 127.0.0.1 in sandbox mode, on create and update', async () => {
    for (const url of ['http://localhost:46200/hook', 'http://127.0.0.1:46201/hook', 'http://[::1]:46202/', 'https://p.example:9443/hook']) {
      expect((await k.request('POST', '/v2/notification/webhooks', { body: { url, event_types: ['*'], signing_key_id: keyId } })).statusCode, url).toBe(201);
    }
    const hook = (await k.request('GET', '/v2/notification/webhooks')).json().webhooks[0];
    const r = await k.request('PATCH', `/v2/notification/webhooks/${hook.webhook_id}`, { body: { url: 'http://10.0.0.1/hook' } });
    expect(r.statusCode).toBe(400);
    expectV2Error(r.json(), 'VALIDATION_ERROR', 'url');
  });

  it("keeps another account's webhooks invisible", async () => {
    const hook = (await k.request('POST', '/v2/notification/webhooks', { body: { url: 'https://p.example/h', event_types: ['*'], signing_key_id: keyId } })).json();
    const other = await k.createMerchant();
    for (const [method, url] of [
      ['GET', `/v2/notification/webhooks/${hook.webhook_id}`],
      ['PATCH', `/v2/notification/webhooks/${hook.webhook_id}`],
      ['DELETE', `/v2/notification/webhooks/${hook.webhook_id}`],
      ['POST', `/v2/notification/webhooks/${hook.webhook_id}/simulate`],
      ['GET', `/v2/notification/webhooks/${hook.webhook_id}/deliveries`],
    ] as const) {
      const r = await k.request(method, url, { merchant: other, body: method === 'PATCH' ? { status: 'DISABLED' } : method === 'POST' ? { event_type: 'payment.request.updated' } : undefined });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await k.request('GET', '/v2/notification/webhooks', { merchant: other })).json()).toEqual({ webhooks: [] });
  });
});

describe('live mode', () => {
  it('accepts only https on port 443 or 8443', async () => {
    const k = await startTestKassa({ env: { KASSA_MODE: 'live' } });
    try {
      const keyId = (await k.request('POST', '/v2/notification/signing-keys')).json().signing_key_id;
      const create = (url: string) => k.request('POST', '/v2/notification/webhooks', { body: { url, event_types: ['*'], signing_key_id: keyId } });
      for (const url of ['http://localhost:46200/hook', 'http://127.0.0.1/hook', 'https://p.example:9443/hook', 'http://p.example/hook']) {
        const r = await create(url);
        expect(r.statusCode, url).toBe(400);
        expectV2Error(r.json(), 'VALIDATION_ERROR', 'url');
      }
      for (const url of ['https://p.example/hook', 'https://p.example:8443/hook', 'https://p.example:443/hook']) expect((await create(url)).statusCode, url).toBe(201);
    } finally {
      await k.close();
    }
  });
});

describe('delivery', () => {
  let k: V2Kassa;
  beforeEach(async () => (k = await startV2Kassa()));
  afterEach(async () => k.close());

  const deliveries = async (query = '') => (await k.request('GET', `/v2/notification/webhooks/${k.webhookId}/deliveries${query}`)).json().deliveries as any[];

  it('sends the v2 envelope, signed with HMAC-SHA256 of the raw body (checked independently)', async () => {
    const r = await k.request('POST', `/v2/accounts/${k.merchant.accountId}/payment/authorize`, {
      body: { currency: 'EUR', request_payment_transaction: { amount: 500 }, step_up_config: { payment_request_reference: 'ref-9' } },
    });
    await k.flush();
    const [d] = k.transport.deliveries;
    expect(d!.url).toBe('https://partner.example/hooks/klarna');
    expect(d!.headers['content-type']).toBe('application/json');
    expect(d!.headers['Klarna-Signing-Key-Id']).toBe(k.signingKey.signing_key_id);
    expect(d!.headers['Klarna-Signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(d!.headers['Klarna-Signature']).toBe(createHmac('sha256', k.signingKey.signing_key).update(Buffer.from(d!.body, 'utf8')).digest('hex'));
    expect(verify({ ...d!, body: d!.body.replace('ref-9', 'ref-8') }, k.signingKey.signing_key)).toBe(false);
    const envelope = JSON.parse(d!.body);
    expect(Object.keys(envelope)).toEqual(['metadata', 'payload']);
    expect(envelope.metadata).toEqual({
      event_type: 'payment.request.state-change.submitted',
      event_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      event_version: 'v2',
      occurred_at: '2026-01-15T10:00:00.000Z',
      correlation_id: r.headers['klarna-correlation-id'],
      subject_account_id: k.merchant.accountId,
      recipient_account_id: k.merchant.accountId,
      product_instance_id: expect.stringMatching(/^krn:partner:product:payment:/),
      webhook_id: k.webhookId,
    });
    expect(envelope.payload).toMatchObject({ payment_request_id: r.json().payment_request.payment_request_id, payment_request_reference: 'ref-9', state: 'SUBMITTED' });
  });

  it('matches wildcards and exact types, and sends nothing to DISABLED webhooks', async () => {
    const make = async (event_types: string[], status = 'ENABLED') =>
      (await k.request('POST', '/v2/notification/webhooks', { body: { url: 'https://other.example/h', event_types, signing_key_id: k.signingKey.signing_key_id, status } })).json().webhook_id as string;
    const requests = await make(['payment.request.*']);
    const completedOnly = await make(['payment.request.state-change.completed']);
    const transactions = await make(['payment.transaction.*']);
    const disabled = await make(['*'], 'DISABLED');
    const pr = await k.stepUp();
    await k.journey(pr.payment_request_id, 'enter');
    const done = await k.journey(pr.payment_request_id, 'approve');
    await k.authorize({ currency: 'EUR', request_payment_transaction: { amount: 11800 } }, { 'klarna-payment-token': done.json.payment_request.state_context.payment_token });
    await k.flush();
    const typesFor = (id: string) => k.transport.deliveries.filter((d) => JSON.parse(d.body).metadata.webhook_id === id).map((d) => JSON.parse(d.body).metadata.event_type).sort();
    expect(typesFor(requests)).toEqual(['payment.request.state-change.completed', 'payment.request.state-change.in-progress', 'payment.request.state-change.submitted']);
    expect(typesFor(completedOnly)).toEqual(['payment.request.state-change.completed']);
    expect(typesFor(transactions)).toEqual(['payment.transaction.state-change.authorized']);
    expect(typesFor(disabled)).toEqual([]);
    expect(typesFor(k.webhookId)).toHaveLength(4);
    // One event, one event_id, whichever subscription it went to.
    const completedIds = new Set(k.events('payment.request.state-change.completed').map((e) => e.metadata.event_id));
    expect(completedIds.size).toBe(1);
  });

  it('lists the latest deliveries first, so a long log still shows what just happened', async () => {
    await k.stepUp();
    await k.flush();
    await k.advance(10);
    const second = await k.stepUp();
    await k.flush();
    const all = await deliveries();
    expect(all).toHaveLength(2);
    expect(Date.parse(all[0].created_at)).toBeGreaterThan(Date.parse(all[1].created_at));
    const [latest] = await deliveries('?limit=1');
    expect(latest.delivery_id).toBe(all[0].delivery_id);
    const detail = (await k.request('GET', `/v2/notification/webhooks/${k.webhookId}/deliveries/${latest.delivery_id}`)).json();
    expect(JSON.parse(detail.request_body).payload.payment_request_id).toBe(second.payment_request_id);
  });

  it('retries a failing receiver with back-off on the account clock; every attempt carries the same event_id and signature', async () => {
    let calls = 0;
    k.transport.respond = () => (++calls <= 2 ? 503 : 200);
    await k.stepUp();
    await k.flush();
    expect(calls).toBe(1);
    let [d] = await deliveries();
    expect(d).toMatchObject({ status: 'PENDING', attempt_count: 1, event_type: 'payment.request.state-change.submitted' });
    const firstRetryAt = Date.parse(d.next_attempt_at);
    expect(firstRetryAt - Date.parse('2026-01-15T10:00:00Z')).toBeGreaterThanOrEqual(15_000);
    expect(firstRetryAt - Date.parse('2026-01-15T10:00:00Z')).toBeLessThanOrEqual(30_000);
    await k.advance(14);
    await k.flush();
    expect(calls).toBe(1); // not due yet
    await k.advance(16);
    await k.flush();
    expect(calls).toBe(2);
    [d] = await deliveries();
    const secondWait = Date.parse(d.next_attempt_at) - Date.parse('2026-01-15T10:00:30Z');
    expect(secondWait).toBeGreaterThanOrEqual(30_000);
    expect(secondWait).toBeLessThanOrEqual(60_000);
    await k.advance(60);
    await k.flush();
    expect(calls).toBe(3);
    [d] = await deliveries();
    expect(d).toMatchObject({ status: 'DELIVERED', attempt_count: 3 });
    expect(d.next_attempt_at).toBeUndefined();
    const bodies = new Set(k.transport.deliveries.map((x) => x.body));
    expect(bodies.size).toBe(1);
    expect(new Set(k.transport.deliveries.map((x) => JSON.parse(x.body).metadata.event_id)).size).toBe(1);
    expect(k.transport.deliveries.every((x) => verify(x, k.signingKey.signing_key))).toBe(true);
    const detail = (await k.request('GET', `/v2/notification/webhooks/${k.webhookId}/deliveries/${d.delivery_id}`)).json();
    expect(detail.attempts.map((a: any) => a.status_code)).toEqual([503, 503, 200]);
    expect(detail.attempts.map((a: any) => a.attempted_at)).toEqual(['2026-01-15T10:00:00.000Z', '2026-01-15T10:00:30.000Z', '2026-01-15T10:01:30.000Z']);
    expect(detail.attempts[0]).toMatchObject({ attempt: 1, error: null, latency_ms: expect.any(Number) });
    expect(detail.request_body).toBe(k.transport.deliveries[0]!.body);
  });

  it('treats a 4xx, a redirect and a network error as failures to retry', async () => {
    const answers: (number | Error)[] = [400, 302, new Error('connect ECONNREFUSED'), 204];
    k.transport.respond = () => {
      const a = answers.shift()!;
      if (a instanceof Error) throw a;
      return a;
    };
    await k.stepUp();
    await k.flush();
    for (let i = 0; i < 3; i++) {
      await k.advance(3600);
      await k.flush();
    }
    const [d] = await deliveries();
    const detail = (await k.request('GET', `/v2/notification/webhooks/${k.webhookId}/deliveries/${d.delivery_id}`)).json();
    expect(detail.status).toBe('DELIVERED');
    expect(detail.attempts.map((a: any) => [a.status_code, a.error])).toEqual([[400, null], [302, null], [null, 'Error: connect ECONNREFUSED'], [204, null]]);
  });

  it('gives up after 12 hours (FAILED), and a manual retry sends the same event again as a new delivery', async () => {
    k.transport.respond = () => 500;
    await k.stepUp();
    await k.flush();
    for (let hour = 0; hour < 14; hour++) {
      await k.advance(3600);
      await k.flush();
    }
    const [d] = await deliveries();
    expect(d.status).toBe('FAILED');
    const detail = (await k.request('GET', `/v2/notification/webhooks/${k.webhookId}/deliveries/${d.delivery_id}`)).json();
    const times = detail.attempts.map((a: any) => Date.parse(a.attempted_at) - Date.parse('2026-01-15T10:00:00Z'));
    expect(times.at(-1)).toBeLessThanOrEqual(12 * 3600_000);
    expect(times.at(-1)).toBeGreaterThan(10 * 3600_000);
    expect(detail.attempts.length).toBe(k.transport.deliveries.length);
    const attemptsBefore = k.transport.deliveries.length;
    await k.advance(3600);
    await k.flush();
    expect(k.transport.deliveries.length).toBe(attemptsBefore); // failed means no more automatic attempts
    expect((await deliveries('?status=FAILED')).map((x) => x.delivery_id)).toEqual([d.delivery_id]);

    k.transport.respond = () => 200;
    const retry = await k.request('POST', `/v2/notification/webhooks/${k.webhookId}/deliveries/${d.delivery_id}/retry`);
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toMatchObject({ status: 'PENDING', event_id: d.event_id, attempt_count: 0 });
    expect(retry.json().delivery_id).not.toBe(d.delivery_id);
    await k.flush();
    const last = k.transport.deliveries.at(-1)!;
    expect(JSON.parse(last.body).metadata.event_id).toBe(d.event_id);
    expect(last.body).toBe(k.transport.deliveries[0]!.body);
    expect(verify(last, k.signingKey.signing_key)).toBe(true);
    expect((await deliveries(`?event_id=${d.event_id}`)).map((x) => x.status).sort()).toEqual(['DELIVERED', 'FAILED']);
    const events = await k.kassa.deps.engine.store.listEvents(k.merchant.accountId, 'notification_config', 'config');
    expect(events.at(-1)).toMatchObject({ type: 'webhook.delivery.replayed', data: { delivery_id: d.delivery_id } });
  });

  it('refuses to replay a delivery that is still pending, or one of another webhook', async () => {
    k.transport.respond = () => 500;
    await k.stepUp();
    await k.flush();
    const [d] = await deliveries();
    const r = await k.request('POST', `/v2/notification/webhooks/${k.webhookId}/deliveries/${d.delivery_id}/retry`);
    expect(r.statusCode).toBe(409);
    expectV2Error(r.json(), 'INVALID_STATE');
    const other = (await k.request('POST', '/v2/notification/webhooks', { body: { url: 'https://o.example/h', event_types: ['payment.dispute.*'], signing_key_id: k.signingKey.signing_key_id } })).json();
    expect((await k.request('POST', `/v2/notification/webhooks/${other.webhook_id}/deliveries/${d.delivery_id}/retry`)).statusCode).toBe(404);
    expect((await k.request('GET', `/v2/notification/webhooks/${other.webhook_id}/deliveries/${d.delivery_id}`)).statusCode).toBe(404);
  });

  it('re-signs with the current key after a key rotation, keeping the body', async () => {
    k.transport.respond = () => 200;
    await k.stepUp();
    await k.flush();
    const [d] = await deliveries();
    const newKey = (await k.request('POST', '/v2/notification/signing-keys')).json();
    await k.request('PATCH', `/v2/notification/webhooks/${k.webhookId}`, { body: { signing_key_id: newKey.signing_key_id } });
    expect((await k.request('DELETE', `/v2/notification/signing-keys/${k.signingKey.signing_key_id}`)).statusCode).toBe(204);
    expect((await k.request('POST', `/v2/notification/webhooks/${k.webhookId}/deliveries/${d.delivery_id}/retry`)).statusCode).toBe(202);
    await k.flush();
    const last = k.transport.deliveries.at(-1)!;
    expect(last.headers['Klarna-Signing-Key-Id']).toBe(newKey.signing_key_id);
    expect(verify(last, newKey.signing_key)).toBe(true);
    expect(last.body).toBe(k.transport.deliveries[0]!.body);
  });

  it('simulates any known event type to one webhook, whatever it subscribes to', async () => {
    const narrow = (await k.request('POST', '/v2/notification/webhooks', { body: { url: 'https://o.example/h', event_types: ['payment.dispute.*'], signing_key_id: k.signingKey.signing_key_id, status: 'DISABLED' } })).json();
    for (const event_type of webhookEventTypes) {
      const r = await k.request('POST', `/v2/notification/webhooks/${narrow.webhook_id}/simulate`, { body: { event_type, event_version: 'v2' } });
      expect(r.statusCode, event_type).toBe(202);
      expect(r.json()).toEqual({ event_id: expect.any(String), delivery_id: expect.any(String), event_type });
    }
    await k.flush();
    expect(k.transport.deliveries.map((d) => JSON.parse(d.body).metadata.event_type).sort()).toEqual([...webhookEventTypes].sort());
    expect(k.transport.deliveries.every((d) => d.url === 'https://o.example/h' && verify(d, k.signingKey.signing_key))).toBe(true);
    const completed = k.events('payment.request.state-change.completed')[0]!;
    expect(completed.payload).toMatchObject({ state: 'COMPLETED', state_context: { payment_token: expect.any(String) } });
    const bad = await k.request('POST', `/v2/notification/webhooks/${narrow.webhook_id}/simulate`, { body: { event_type: 'payment.request.*' } });
    expect(bad.statusCode).toBe(400);
    expectV2Error(bad.json(), 'VALIDATION_ERROR', 'event_type');
  });

  it('publishTransactionStateChange (for Order Management) publishes only for v2 transaction orders', async () => {
    const pr = await k.stepUp();
    await k.journey(pr.payment_request_id, 'enter');
    const done = await k.journey(pr.payment_request_id, 'approve');
    const tx = (await k.authorize({ currency: 'EUR', request_payment_transaction: { amount: 11800, payment_transaction_reference: 'tx-9' } }, { 'klarna-payment-token': done.json.payment_request.state_context.payment_token })).json.payment_transaction_response.payment_transaction;
    const store = k.kassa.deps.engine.store;
    const order = (await store.getAggregate<OrderState>(k.merchant.accountId, 'order', orderIdOf(tx.payment_transaction_id)))!.state;
    const account = (await store.getAccount(k.merchant.accountId))!;
    await k.kassa.deps.engine.execute(account, 'om', async (uow) => {
      await publishTransactionStateChange(uow, order, 'completed');
      await publishTransactionStateChange(uow, { ...order, internal: { ...order.internal, source: 'payments' } }, 'closed');
    });
    await k.flush();
    expect(k.events('payment.transaction.state-change.closed')).toEqual([]);
    expect(k.events('payment.transaction.state-change.completed').map((e) => e.payload)).toEqual([
      { payment_transaction_id: tx.payment_transaction_id, payment_transaction_reference: 'tx-9', state: 'COMPLETED', amount: 11800, captured_amount: 0, refunded_amount: 0, currency: 'EUR', updated_at: '2026-01-15T10:00:00.000Z' },
    ]);
  });

  it('publishEvent (for other features) fans one event out to every matching subscription in the caller’s transaction', async () => {
    const disputes = (await k.request('POST', '/v2/notification/webhooks', { body: { url: 'https://d.example/h', event_types: ['payment.dispute.*'], signing_key_id: k.signingKey.signing_key_id } })).json();
    await k.request('POST', '/v2/notification/webhooks', { body: { url: 'https://r.example/h', event_types: ['payment.request.*'], signing_key_id: k.signingKey.signing_key_id } });
    const account = (await k.kassa.deps.engine.store.getAccount(k.merchant.accountId))!;
    const published = await k.kassa.deps.engine.execute(account, 'corr-1', (uow) => publishEvent(uow, 'payment.dispute.state-change.initiated', { dispute_id: 'd-1' }));
    expect(published.deliveryIds).toHaveLength(2);
    await k.flush();
    const sent = k.transport.deliveries.map((d) => JSON.parse(d.body));
    expect(sent.map((e) => e.metadata.webhook_id).sort()).toEqual([disputes.webhook_id, k.webhookId].sort());
    expect(sent.every((e) => e.metadata.event_id === published.eventId && e.metadata.correlation_id === 'corr-1' && e.payload.dispute_id === 'd-1')).toBe(true);
    // A publish inside a command that fails commits nothing.
    await expect(
      k.kassa.deps.engine.execute(account, 'corr-2', async (uow) => {
        await publishEvent(uow, 'payment.dispute.state-change.closed', {});
        throw new Error('command failed');
      }),
    ).rejects.toThrow('command failed');
    await k.flush();
    expect(k.transport.deliveries).toHaveLength(2);
  });
});
