/**
 * The requests log over HTTP (in-process): what an API request leaves in it (method, path, route,
 * status, duration, correlation id, idempotency key, both bodies), with every secret and token
 * censored and bodies cut to their limit; only the account's own requests, only requests made with
 * its credentials; events stamped with the correlation id of the request (or timer) that wrote them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limits } from '../../src/domain/limits.js';
import { sessionType } from '../../src/domain/session/session-state.js';
import { swedishOrder } from '../fixtures/orders.js';
import { authorize, createSession } from '../support/flows.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { openTestPostgres, postgresAvailable } from '../support/postgres.js';

let t: TestKassa;
beforeEach(async () => (t = await startTestKassa()));
afterEach(async () => t.close());

const log = (accountId = t.merchant.accountId) => t.kassa.deps.requestLog.list(accountId, { limit: 100 });

describe('requests log', () => {
  it('records an API request with its route, status, duration, correlation id, idempotency key and redacted bodies', async () => {
    const res = await t.request('POST', '/payments/v1/sessions?expand=x', { body: swedishOrder(), headers: { 'klarna-idempotency-key': 'idem-42' } });
    expect(res.statusCode).toBe(200);
    const clientToken = res.json().client_token as string;
    const [entry, ...rest] = await log();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      accountId: t.merchant.accountId,
      method: 'POST',
      path: '/payments/v1/sessions?expand=x',
      route: '/payments/v1/sessions',
      statusCode: 200,
      correlationId: res.headers['klarna-correlation-id'],
      idempotencyKey: 'idem-42',
      at: t.clock.now(),
    });
    expect(entry!.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(entry!.requestBody!)).toEqual(swedishOrder());
    const response = JSON.parse(entry!.responseBody!);
    expect(response.session_id).toBe(res.json().session_id);
    expect(response.client_token).toBe('[redacted]');
    expect(JSON.stringify(entry)).not.toContain(clientToken);
    expect(await t.kassa.deps.requestLog.get(t.merchant.accountId, entry!.correlationId)).toEqual(entry);
  });

  it('censors tokens in the path and secrets at any depth of a request body, and keeps rejected requests', async () => {
    const sessionId = await createSession(t);
    const { authorization_token: token } = await authorize(t, sessionId);
    const order = await t.request('POST', `/payments/v1/authorizations/${token}/order`, { body: swedishOrder() });
    expect(order.statusCode).toBe(200);
    const card = '4111 1111 1111 1111';
    const bad = await t.request('POST', '/payments/v1/sessions?client_token=abc&limit=5', {
      body: { ...swedishOrder(), merchant_data: `card ${card}`, attachment: { body: 'x', nested: [{ password: 'hunter2-canary', secret: 's3cret-canary' }] } },
    });
    expect(bad.statusCode).toBe(400);
    const entries = await log();
    const text = JSON.stringify(entries);
    for (const secret of [token!, 'hunter2-canary', 's3cret-canary', card, 'client_token=abc']) expect(text).not.toContain(secret);
    const placed = entries.find((e) => e.route === '/payments/v1/authorizations/:authorizationToken/order')!;
    expect(placed.path).toBe('/payments/v1/authorizations/[redacted]/order');
    const rejected = entries.find((e) => e.statusCode === 400)!;
    expect(rejected.path).toBe('/payments/v1/sessions?client_token=[redacted]&limit=5');
    const body = JSON.parse(rejected.requestBody!);
    expect(body.attachment.nested[0]).toEqual({ password: '[redacted]', secret: '[redacted]' });
    expect(body.merchant_data).toBe('card [redacted]');
    expect(JSON.parse(rejected.responseBody!).error_code).toBe('BAD_VALUE');
    // Newest first.
    expect(entries.map((e) => e.statusCode)).toEqual([400, 200, 200, 200]);
  });

  it('shows each account only its own requests', async () => {
    const other = await t.createMerchant();
    const mine = await t.request('GET', '/sandbox/v1/account');
    const theirs = await t.request('GET', '/sandbox/v1/account', { merchant: other });
    expect((await log()).map((e) => e.correlationId)).toEqual([mine.headers['klarna-correlation-id']]);
    expect((await log(other.accountId)).map((e) => e.correlationId)).toEqual([theirs.headers['klarna-correlation-id']]);
    expect(await t.kassa.deps.requestLog.get(other.accountId, String(mine.headers['klarna-correlation-id']))).toBeUndefined();
  });

  it('does not record requests without valid credentials, nor the purchase journey, nor /metrics', async () => {
    await t.request('GET', '/sandbox/v1/account', { merchant: null });
    await t.request('GET', '/sandbox/v1/account', { merchant: { ...t.merchant, authorization: `Basic ${Buffer.from(`${t.merchant.username}:wrong`).toString('base64')}` } });
    const session = await t.request('POST', '/payments/v1/sessions', { body: swedishOrder() });
    await t.request('GET', '/kp/v1/journey/session/context', { merchant: null, headers: { authorization: `Bearer ${session.json().client_token}` } });
    await t.request('GET', '/metrics', { merchant: null });
    expect((await log()).map((e) => e.route)).toEqual(['/payments/v1/sessions']);
  });

  it('cuts a long body to requestLogBodyCharsMax characters, saying so', async () => {
    const big = { ...swedishOrder(), unknown_field: 'x'.repeat(limits.requestLogBodyCharsMax * 2) };
    await t.request('POST', '/payments/v1/sessions', { body: big });
    const [entry] = await log();
    expect(entry!.requestBody!.length).toBeLessThanOrEqual(limits.requestLogBodyCharsMax);
    expect(entry!.requestBody).toMatch(/… \[truncated: \d+ characters\]$/);
  });

  it('pages newest first with `before`, at the account clock', async () => {
    for (let i = 0; i < 5; i++) {
      await t.request('GET', `/sandbox/v1/account?i=${i}`);
      t.clock.advance(1000);
    }
    const first = await t.kassa.deps.requestLog.list(t.merchant.accountId, { limit: 2 });
    expect(first.map((e) => e.path)).toEqual(['/sandbox/v1/account?i=4', '/sandbox/v1/account?i=3']);
    const next = await t.kassa.deps.requestLog.list(t.merchant.accountId, { limit: 2, before: first[1]!.id });
    expect(next.map((e) => e.path)).toEqual(['/sandbox/v1/account?i=2', '/sandbox/v1/account?i=1']);
    expect(first[0]!.at - next[1]!.at).toBe(3000);
  });
});

describe('events carry the request that caused them', () => {
  it("stamps a request's events with its correlation id, and a timer's events with the firing's own", async () => {
    const res = await t.request('POST', '/payments/v1/sessions', { body: swedishOrder() });
    const sessionId = res.json().session_id as string;
    await t.advance(49 * 3600); // past the 48 h session lifetime: the expiry timer fires
    const events = await t.kassa.deps.engine.store.listEvents(t.merchant.accountId, sessionType, sessionId);
    const created = events.find((e) => e.type === 'session.created')!;
    const expired = events.find((e) => e.type !== 'session.created')!;
    expect(created.correlationId).toBe(res.headers['klarna-correlation-id']);
    expect(expired.correlationId).toBeTruthy();
    expect(expired.correlationId).not.toBe(created.correlationId);
    // The timer's correlation id is no request of this account's.
    expect(await t.kassa.deps.requestLog.get(t.merchant.accountId, expired.correlationId!)).toBeUndefined();
  });
});

describe('requests log on PostgreSQL', () => {
  it('records requests (a NUL character in a body included) and stamps events with their correlation id', async () => {
    if (!(await postgresAvailable())) return;
    const pg = await openTestPostgres();
    const p = await startTestKassa({ store: pg.store });
    try {
      const res = await p.request('POST', '/payments/v1/sessions', { body: { ...swedishOrder(), merchant_data: 'a\u0000b' } });
      expect(res.statusCode).toBe(200);
      const [entry] = await p.kassa.deps.requestLog.list(p.merchant.accountId, { limit: 5 });
      expect(entry).toMatchObject({ route: '/payments/v1/sessions', statusCode: 200, correlationId: res.headers['klarna-correlation-id'] });
      expect(JSON.parse(entry!.requestBody!).merchant_data).toBe('a\u0000b');
      const events = await p.kassa.deps.engine.store.listEvents(p.merchant.accountId, sessionType, res.json().session_id);
      expect(events[0]!.correlationId).toBe(res.headers['klarna-correlation-id']);
    } finally {
      await p.close();
      await pg.drop();
    }
  });
});
