/**
 * Regression tests for defects the reliability suites found (docs/reliability.md lists them).
 * Each test names the suite and the seed or input that found it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { durations, limits } from '../../src/domain/limits.js';
import { merchantRuntimeFor, type MerchantRuntime } from '../../src/app/merchant/merchant-runtime.js';
import { inProcessHttp } from './support/in-process-http.js';
import { swedishOrder } from '../fixtures/orders.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { placeMerchantOrder } from '../support/flows.js';
import { openTestPostgres, postgresAvailable } from '../support/postgres.js';
import { deepNesting, toJson } from './support/schema-values.js';

describe('reliability regressions', () => {
  let t: TestKassa;
  beforeEach(async () => {
    t = await startTestKassa();
  });
  afterEach(async () => t.close());

  // Crash harness, seed 2: an advance whose answer was lost was retried with the same key after the
  // restart and moved the clock a second time (the route ignored Klarna-Idempotency-Key and set the
  // offset outside any commit).
  it('a clock advance retried with the same Klarna-Idempotency-Key moves the clock once', async () => {
    const headers = { 'klarna-idempotency-key': 'advance-once' };
    const first = await t.request('POST', '/sandbox/v1/clock/advance', { body: { seconds: 60 }, headers });
    const again = await t.request('POST', '/sandbox/v1/clock/advance', { body: { seconds: 60 }, headers });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.json().offset_seconds).toBe(60);
    const clock = await t.request('GET', '/sandbox/v1/clock');
    expect(clock.json().offset_seconds).toBe(60);
    const other = await t.request('POST', '/sandbox/v1/clock/advance', { body: { seconds: 60 }, headers: { 'klarna-idempotency-key': 'advance-twice' } });
    expect(other.json().offset_seconds).toBe(120);
  });

  // Fuzzer, seed 1 ("hostile id %ZZ", "hostile id aaa…"): errors the router raises before any hook
  // (a malformed %-escape, an id over maxParamLength) came back in Fastify's own body, 414/400,
  // without a Klarna-Correlation-Id.
  it.each([
    ['/payments/v1/sessions/%ZZ', 400, 'BAD_REQUEST'],
    ['/payments/v1/sessions/%C0%AE', 400, 'BAD_REQUEST'],
    [`/payments/v1/sessions/${'a'.repeat(limits.idLengthMax + 1)}`, 400, 'BAD_VALUE'],
    [`/payments/v1/sessions/${'a'.repeat(limits.idLengthMax)}`, 404, 'NOT_FOUND'],
  ])('GET %s answers %i %s in the Klarna error shape', async (url, status, code) => {
    const res = await t.request('GET', url);
    expect(res.statusCode).toBe(status);
    expect(res.headers['klarna-correlation-id']).toBeTruthy();
    expect(res.json()).toEqual({ error_code: code, error_messages: [expect.any(String)], correlation_id: res.headers['klarna-correlation-id'] });
  });

  // Fuzzer, seed 1 ("deep nesting in an extra top-level field"): unknown fields are accepted, and a
  // value nested 5000 levels deep was stored with JSON.stringify, which overflowed: 500.
  it('refuses bodies nested deeper than jsonDepthMax with 400, and accepts them at the bound', async () => {
    const deep = await t.request('POST', '/payments/v1/sessions', { body: toJson({ ...swedishOrder(), x_deep: deepNesting(5000) }) });
    expect(deep.statusCode).toBe(400);
    expect(deep.json()).toMatchObject({ error_code: 'BAD_REQUEST', error_messages: [expect.stringContaining(`${limits.jsonDepthMax} levels`)] });
    const over = await t.request('POST', '/payments/v1/sessions', { body: toJson({ ...swedishOrder(), x_deep: deepNesting(limits.jsonDepthMax) }) });
    expect(over.statusCode).toBe(400);
    const at = await t.request('POST', '/payments/v1/sessions', { body: toJson({ ...swedishOrder(), x_deep: deepNesting(limits.jsonDepthMax - 1) }) });
    expect(at.statusCode, at.body).toBe(200);
  });

  // Fuzzer on PostgreSQL, seed 5 ("bad Authorization Basic YQBiOmM=", i.e. "a\0b:c"): the NUL byte
  // reached a PostgreSQL query and failed it: 500 instead of 401.
  it('Basic credentials with a control character in the username are 401 on PostgreSQL too', async () => {
    if (!(await postgresAvailable())) return;
    const pg = await openTestPostgres();
    const p = await startTestKassa({ store: pg.store });
    try {
      for (const user of ['a\u0000b', 'a\u0001b', `${'u'.repeat(limits.usernameCharsMax + 1)}`]) {
        const res = await p.request('GET', '/sandbox/v1/account', { merchant: null, headers: { authorization: `Basic ${Buffer.from(`${user}:secret-123`).toString('base64')}` } });
        expect(res.statusCode, user).toBe(401);
        expect(res.json().error_code).toBe('UNAUTHORIZED');
      }
      expect((await p.request('GET', '/sandbox/v1/account')).statusCode).toBe(200);
    } finally {
      await p.close();
      await pg.drop();
    }
  });

  // Secrets suite: the 404 for an unknown route echoed the whole path, so a token a client put in
  // a mistyped URL came back in the error body (and would reach any log that records bodies).
  it('an unknown route is named by its shape: ids and tokens in the path are not echoed', async () => {
    const token = 'c0ffee00-1111-4222-8333-944445555666';
    const res = await t.request('POST', `/payments/v1/authorizations/${token}/ordre?x=1`, { body: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json().error_messages).toEqual(['No route POST /payments/v1/authorizations/{id}/ordre']);
    expect(res.body).not.toContain(token);
  });

  // Isolation matrix: an unauthenticated PATCH /v2/notification/webhooks/{id} with a body the
  // schema refuses answered 400 naming the fields — validation ran before the credential check.
  it('credentials are checked before the body is parsed or validated', async () => {
    const cases: [string, string, unknown][] = [
      ['POST', '/payments/v1/sessions', '{not json'],
      ['POST', '/payments/v1/sessions', { order_amount: 'lots' }],
      ['PATCH', '/v2/notification/webhooks/x', { unknown: true }],
      ['POST', '/ordermanagement/v1/orders/x/captures', { captured_amount: -1 }],
    ];
    for (const [method, url, body] of cases) {
      const res = await t.request(method, url, { merchant: null, body: typeof body === 'string' ? body : body, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="Kassa"');
    }
    // With credentials, the same bodies are refused for what they are.
    expect((await t.request('POST', '/payments/v1/sessions', { body: { order_amount: 'lots' } })).statusCode).toBe(400);
  });

  // Fuzzer, seed 859680398 (stuck after 30,000 requests once the fuzzer reached the merchant role):
  // a part-captured merchant order's authorization lapsed at the provider, which then shows the
  // order CAPTURED with nothing left (not EXPIRED). The merchant role did not follow, and its expiry
  // check re-armed itself due at once: a clock advance past the expiry never ended.
  describe('merchant role: an authorization that lapses after a partial capture', () => {
    let rt: MerchantRuntime;
    let calls: string[];
    beforeEach(() => {
      rt = merchantRuntimeFor(t.kassa.deps);
      const inner = inProcessHttp(t.kassa);
      calls = [];
      rt.http = { send: (r) => (calls.push(`${r.method} ${new URL(r.url).pathname}`), inner.send(r)) };
    });

    async function partCaptured(): Promise<string> {
      const { order_id } = await placeMerchantOrder(t);
      const captured = await t.request('POST', `/merchant/v1/orders/${order_id}/captures`, { body: { captured_amount: 1000 } });
      expect(captured.statusCode, captured.body).toBeLessThan(300);
      expect(captured.json().state).toBe('part_captured');
      return order_id;
    }

    it('follows the provider: the order becomes captured, and the advance past the expiry ends', async () => {
      const id = await partCaptured();
      const advance = await t.advance(durations.orderAuthorizationTtlMs / 1000 + 3600);
      expect(advance.statusCode).toBe(200);
      const order = (await t.request('GET', `/merchant/v1/orders/${id}`)).json();
      // captured, and by now settled and paid out: what matters is that it left part_captured.
      expect(order.timeline.map((e: { type: string }) => e.type)).toContain('merchant_order.order_expired');
      expect(['captured', 'settled', 'completed']).toContain(order.state);
      expect(order.captured_amount).toBe(1000);
      expect(order.pending_steps.filter((s: { reason?: string }) => s.reason === 'expiry')).toEqual([]);
      expect(calls.filter((c) => /^GET \/ordermanagement\/v1\/orders\/[^/]+$/.test(c)).length).toBeLessThan(5);
    });

    it('a provider that keeps the order live past its expires_at is asked once about that expiry, not again and again', async () => {
      const id = await partCaptured();
      // This provider never lapses the order: it answers PART_CAPTURED with the old expires_at.
      const inner = rt.http;
      rt.http = {
        async send(r) {
          const res = await inner.send(r);
          if (r.method !== 'GET' || !r.url.includes('/ordermanagement/v1/orders/') || res.status !== 200) return res;
          const body = JSON.parse(res.body);
          return { ...res, body: JSON.stringify({ ...body, status: 'PART_CAPTURED', remaining_authorized_amount: body.order_amount - body.captured_amount }) };
        },
      };
      const before = calls.length;
      const advance = await t.advance(durations.orderAuthorizationTtlMs / 1000 + 3600);
      expect(advance.statusCode).toBe(200);
      const order = (await t.request('GET', `/merchant/v1/orders/${id}`)).json();
      expect(order.state).toBe('part_captured');
      expect(order.pending_steps.filter((s: { reason?: string }) => s.reason === 'expiry')).toEqual([]);
      expect(calls.slice(before).filter((c) => /^GET \/ordermanagement\/v1\/orders\/[^/]+$/.test(c))).toHaveLength(1);
      // The merchant can still act on it (the provider decides).
      expect((await t.request('POST', `/merchant/v1/orders/${id}/check`, { body: {} })).statusCode).toBe(200);
    });
  });

  // Fuzzer, seed 859680398 (from request #88005 on, every clock advance was 500): an authorization
  // token with a lone surrogate ("odd unicode") was accepted by POST /merchant/v1/orders/{id}/authorize;
  // placing the order threw building the provider's URL, the 500 left the step's timer in place,
  // and every later advance of the account fired it and failed again.
  describe('merchant role: a step that cannot be sent', () => {
    const lone = 'tok-\ud800-x';

    async function checkout(): Promise<{ order_id: string; checkout: { session_id: string } }> {
      merchantRuntimeFor(t.kassa.deps).http = inProcessHttp(t.kassa);
      const res = await t.request('POST', '/merchant/v1/orders', { body: swedishOrder() });
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    }

    it('an authorization token that is not printable text is 400 naming it, and changes nothing', async () => {
      const order = await checkout();
      const before = (await t.request('GET', `/merchant/v1/orders/${order.order_id}`)).body;
      for (const [url, body] of [
        [`/merchant/v1/orders/${order.order_id}/authorize`, { authorization_token: lone }],
        [`/merchant/v1/orders/${order.order_id}/authorize`, { authorization_token: 'has space' }],
      ] as const) {
        const res = await t.request('POST', url, { body });
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().error_messages.join(' ')).toContain('authorization_token');
      }
      expect((await t.request('GET', `/merchant/v1/orders/${order.order_id}`)).body).toBe(before);
      expect((await t.advance(60)).statusCode).toBe(200);
    });

    it('an id the provider hands back that cannot go into a URL fails its step, and the clock still advances', async () => {
      const order = await checkout();
      // A provider that answers the order id with a lone surrogate (valid JSON: "\ud800").
      const inner = inProcessHttp(t.kassa);
      merchantRuntimeFor(t.kassa.deps).http = {
        async send(r) {
          const res = await inner.send(r);
          if (r.method === 'POST' && r.url.endsWith('/order') && res.status === 200) return { ...res, body: JSON.stringify({ ...JSON.parse(res.body), order_id: 'k-\ud800' }) };
          return res;
        },
      };
      const auth = (await t.request('POST', `/sandbox/v1/sessions/${order.checkout.session_id}/authorize`, { body: {} })).json();
      const placed = await t.request('POST', `/merchant/v1/orders/${order.order_id}/authorize`, { body: { authorization_token: auth.authorization_token } });
      expect(placed.statusCode, placed.body).toBe(200);
      // Its status check (a GET of /ordermanagement/v1/orders/k-\ud800) cannot be sent: FAILED, not a 500.
      expect(placed.json().requests.at(-1)).toMatchObject({ kind: 'check_status', status: 'FAILED', error_code: 'REQUEST_NOT_SENT' });
      const check = await t.request('POST', `/merchant/v1/orders/${order.order_id}/check`, { body: {} });
      expect(check.statusCode, check.body).toBe(200);
      expect((await t.advance(30 * 24 * 3600)).statusCode).toBe(200);
      expect((await t.advance(60)).statusCode).toBe(200);
    });
  });
});
