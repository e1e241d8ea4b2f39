/**
 * Bounded resources of the merchant role, the outbound transports and the SQLite group commit:
 * each limit at its bound and one beyond it. The merchant role talks to this Kassa's own provider
 * routes in-process (support/in-process-http.ts), so orders are real; where a bound needs an
 * order in a state no provider produces on request (a request log 1000 entries long, a dozen due
 * steps), the order is written as the application itself would write it (`MerchantRuntime.persist`)
 * and then driven through the real routes. limits.test.ts checks that every limit is named in this
 * file or in itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpClient, HttpRequest } from '../../src/app/merchant/http-client.js';
import { guardedHttpClient } from '../../src/app/merchant/http-client.js';
import { merchantRuntimeFor, type MerchantRuntime } from '../../src/app/merchant/merchant-runtime.js';
import { limits } from '../../src/domain/limits.js';
import { isRejection } from '../../src/domain/errors.js';
import { decideCommand } from '../../src/domain/merchant-order/decide-command.js';
import { Draft, unknownRetryDelayMs, type Decision } from '../../src/domain/merchant-order/merchant-order-core.js';
import { merchantOrderType, type MerchantOrder, type RequestEntry } from '../../src/domain/merchant-order/merchant-order-state.js';
import { guardedTransport } from '../../src/outbox/dispatcher.js';
import type { AccountRecord } from '../../src/store/port.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { swedishOrder } from '../fixtures/orders.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { placeMerchantOrder } from '../support/flows.js';
import { inProcessHttp } from './support/in-process-http.js';

let t: TestKassa;
let rt: MerchantRuntime;
let account: AccountRecord;
beforeAll(async () => {
  t = await startTestKassa();
  rt = merchantRuntimeFor(t.kassa.deps);
  rt.http = inProcessHttp(t.kassa);
  account = (await t.kassa.deps.engine.store.getAccount(t.merchant.accountId))!;
});
afterAll(async () => {
  await rt.idle();
  await t.close();
});

/** Reads a limit (limits.test.ts checks that every limit is named in quotes in a limits test). */
const bound = (name: keyof typeof limits) => limits[name];

async function ok(method: string, url: string, body: unknown = {}, headers?: Record<string, string>) {
  const res = await t.request(method, url, { body, headers });
  expect(res.statusCode, `${method} ${url}: ${res.body.slice(0, 300)}`).toBeLessThan(300);
  return res.json();
}

/** A merchant order placed through the provider and accepted: ready to ship. */
async function readyToShip(): Promise<string> {
  const placed = await placeMerchantOrder(t);
  expect(placed.state).toBe('ready_to_ship');
  return placed.order_id;
}

async function stored(orderId: string): Promise<MerchantOrder> {
  return (await t.kassa.deps.engine.store.getAggregate<MerchantOrder>(account.id, merchantOrderType, orderId))!.state;
}

/** Writes a changed order the way the runtime writes a decision (state, events, step timers). */
async function rewrite(orderId: string, change: (draft: Draft) => void): Promise<void> {
  const fresh = (await t.kassa.deps.engine.store.getAccount(account.id))!; // its clock, as moved by earlier tests
  await t.kassa.deps.engine.execute(fresh, `limits-${orderId}`, async (uow) => {
    const before = (await uow.load<MerchantOrder>(merchantOrderType, orderId))!;
    const draft = new Draft(before, { now: uow.now, newId: () => uow.ctx.random.uuid(), settings: { recheck_interval_ms: 7200_000, capture_on_shipment: true, settlement_poll_interval_ms: 86_400_000, payout_delay_ms: 0 } });
    change(draft);
    const decision: Decision = draft.done();
    rt.persist(uow, before, decision);
  });
}

/** An answered operation in the request log (what a shipment's shipping-info call leaves). */
function answered(i: number, iso: string): RequestEntry {
  return { request_id: `padding-${i}`, kind: 'shipping_info', status: 'COMPLETED', status_history: [], created_at: iso, updated_at: iso, attempts: 1 } as RequestEntry;
}

/** An outbound client that never gets an answer: every call fails like a timeout. */
const unreachable: HttpClient = {
  async send(request: HttpRequest) {
    throw new Error(`The operation was aborted due to timeout (${request.timeoutMs} ms)`);
  },
};

describe('merchant role limits', () => {
  it('merchantConnectionUrlCharsMax: a base_url at the limit is accepted, one more character is 400 naming base_url', async () => {
    const max = bound('merchantConnectionUrlCharsMax');
    const url = (n: number) => `https://provider.example/${'u'.repeat(n - 'https://provider.example/'.length)}`;
    const body = (n: number) => ({ base_url: url(n), username: 'someone', password: 'secret' });
    const at = await t.request('PUT', '/merchant/v1/connection', { body: body(max) });
    expect(at.statusCode, at.body).toBe(200);
    expect(at.json().base_url).toBe(url(max));
    const over = await t.request('PUT', '/merchant/v1/connection', { body: body(max + 1) });
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({ error_code: 'BAD_VALUE' });
    expect(over.json().error_messages.join(' ')).toContain('base_url');
    expect((await t.request('GET', '/merchant/v1/connection')).json().base_url).toBe(url(max));
    expect((await t.request('DELETE', '/merchant/v1/connection')).statusCode).toBe(204);
  });

  it('merchantRequestsPerOrderMax: an order whose log holds one operation less than the limit takes one more; a full log refuses the next with 403', async () => {
    const max = bound('merchantRequestsPerOrderMax');
    const id = await readyToShip();
    const existing = (await stored(id)).requests.length;
    await rewrite(id, (d) => {
      for (let i = d.order.requests.length; i < max - 1; i++) d.order.requests.push(answered(i, d.iso));
    });
    expect((await stored(id)).requests).toHaveLength(max - 1);
    // At the bound: one more request fits, the log is then exactly full.
    const checked = await ok('POST', `/merchant/v1/orders/${id}/check`);
    expect(checked.requests).toHaveLength(max);
    expect(checked.requests.at(-1)).toMatchObject({ kind: 'check_status', status: 'AUTHORIZED' });
    // Answered status checks make room for new ones: the log never grows beyond the bound.
    const again = await ok('POST', `/merchant/v1/orders/${id}/check`);
    expect(again.requests).toHaveLength(max);
    expect(again.requests.filter((r: RequestEntry) => r.kind === 'check_status').length).toBeLessThanOrEqual(existing + 1);
    // Beyond: operations are never dropped, so a log full of them refuses the next command.
    await rewrite(id, (d) => {
      d.order.requests = d.order.requests.filter((r) => r.kind !== 'check_status');
      for (let i = 0; d.order.requests.length < max; i++) d.order.requests.push(answered(max + i, d.iso));
    });
    const before = await stored(id);
    const refused = await t.request('POST', `/merchant/v1/orders/${id}/captures`, { body: { captured_amount: 100 } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error_code: 'NOT_ALLOWED', correlation_id: expect.any(String) });
    expect(refused.json().error_messages.join(' ')).toContain(`request log is full (${max} requests)`);
    expect(await stored(id)).toEqual(before);
  });

  it('merchantStepAttemptsMax: a provider that never answers is tried that many times, then the request is FAILED', async () => {
    const max = bound('merchantStepAttemptsMax');
    const id = await readyToShip();
    rt.http = unreachable;
    try {
      let order = await ok('POST', `/merchant/v1/orders/${id}/check`);
      const checkId = order.requests.at(-1).request_id;
      for (let attempt = 1; attempt < max; attempt++) {
        expect(order.pending_steps.find((s: { request_id: string }) => s.request_id === checkId), `after attempt ${attempt}`).toMatchObject({ attempts: attempt, outcome_unknown: true });
        expect(order.requests.find((r: RequestEntry) => r.request_id === checkId)).toMatchObject({ status: 'PENDING', error_code: 'OUTCOME_UNKNOWN', attempts: attempt });
        // Exactly the back-off: the next attempt falls due, the one after it not yet.
        expect((await t.advance(unknownRetryDelayMs(attempt) / 1000)).statusCode).toBe(200);
        await rt.idle();
        order = await ok('GET', `/merchant/v1/orders/${id}`);
      }
      // The last allowed attempt failed too: given up, nothing left pending for this request.
      expect(order.pending_steps.filter((s: { request_id: string }) => s.request_id === checkId)).toEqual([]);
      expect(order.requests.find((r: RequestEntry) => r.request_id === checkId)).toMatchObject({ status: 'FAILED', error_code: 'PROVIDER_UNREACHABLE', attempts: max });
      expect(order.state).toBe('ready_to_ship');
    } finally {
      rt.http = inProcessHttp(t.kassa);
    }
  });

  it('merchantSettlementPollsMax: an unsettled capture is polled that many times, then no more', async () => {
    const max = bound('merchantSettlementPollsMax');
    await ok('PUT', '/merchant/v1/settings', { settlement_poll_interval_seconds: 60 });
    try {
      const id = await readyToShip();
      const captured = await ok('POST', `/merchant/v1/orders/${id}/ship`, {});
      expect(captured.captures).toEqual([expect.objectContaining({ status: 'SETTLED', settlement: 'PENDING' })]);
      const polls = (o: { requests: RequestEntry[] }) => o.requests.filter((r) => r.kind === 'capture_status').length;
      // The provider settles after days; polling every minute, the bound is reached long before.
      let order = captured;
      for (let minute = 1; minute <= max + 5; minute++) {
        expect((await t.advance(60)).statusCode).toBe(200);
        await rt.idle();
        order = await ok('GET', `/merchant/v1/orders/${id}`);
        const pending = order.pending_steps.filter((s: { kind: string }) => s.kind === 'capture_status');
        if (minute < max) expect(pending, `poll ${minute}`).toHaveLength(1);
        else expect(pending, `poll ${minute}`).toEqual([]);
        expect(polls(order)).toBe(Math.min(minute, max));
      }
      expect(order.captures[0]).toMatchObject({ settlement: 'PENDING' });
      // A manual check still works after the polls have stopped.
      const manual = await ok('POST', `/merchant/v1/requests/${order.captures[0].request_id}/check`);
      expect(manual).toMatchObject({ kind: 'capture_status', checks_request_id: order.captures[0].request_id });
    } finally {
      await ok('PUT', '/merchant/v1/settings', { settlement_poll_interval_seconds: 86_400 });
    }
  });

  it('merchantDriveStepsMax: one drive runs at most that many due steps; the rest wait for the next drive or the timer', async () => {
    const max = bound('merchantDriveStepsMax');
    for (const due of [max, max + 1]) {
      const id = await readyToShip();
      rt.http = unreachable; // every step ends unknown and moves to a later retry: each runs once per drive
      try {
        await rewrite(id, (d) => {
          for (let i = 0; i < due; i++) d.addStep({ kind: 'check_status', reason: 'recheck' }, d.ctx.now);
        });
        const dueNow = async () => (await stored(id)).steps.filter((s) => s.attempts === 0 && s.input.kind === 'check_status' && s.input.reason === 'recheck').length;
        expect(await dueNow()).toBe(due);
        expect(await rt.drive(account, id)).toBe(max);
        expect(await dueNow()).toBe(due - max);
        expect(await rt.drive(account, id)).toBe(due - max);
        expect(await dueNow()).toBe(0);
      } finally {
        rt.http = inProcessHttp(t.kassa);
      }
    }
  });

  it("merchantClientKeysMax: an order remembers that many of the merchant's idempotency keys, the oldest beyond it is forgotten", async () => {
    const max = bound('merchantClientKeysMax');
    const id = await readyToShip();
    const settings = { recheck_interval_ms: 7200_000, capture_on_shipment: true, settlement_poll_interval_ms: 86_400_000, payout_delay_ms: 0 };
    const ctx = { now: Date.now(), newId: () => crypto.randomUUID(), settings };
    let order = await stored(id);
    // Fill the memory to the bound, one command per key, as the routes do.
    for (let i = 0; i < max; i++) {
      const d = decideCommand(order, { type: 'check' }, ctx, `key-${i}`);
      if (isRejection(d)) throw new Error(JSON.stringify(d));
      order = d.order;
      order.steps = []; // the check ran (its outcome is not what this test is about)
    }
    expect(order.client_keys).toHaveLength(max);
    // At the bound every key is still a no-op, including the oldest.
    for (const key of ['key-0', `key-${max - 1}`]) expect(decideCommand(order, { type: 'check' }, ctx, key)).toEqual({ order, events: [] });
    // One key more: the memory stays at the bound and the oldest key is forgotten.
    const next = decideCommand(order, { type: 'check' }, ctx, `key-${max}`);
    if (isRejection(next)) throw new Error(JSON.stringify(next));
    expect(next.order.client_keys).toHaveLength(max);
    expect(next.order.client_keys[0]).toBe('key-1');
    expect(next.order.client_keys.at(-1)).toBe(`key-${max}`);
    const forgotten = decideCommand({ ...next.order, steps: [] }, { type: 'check' }, ctx, 'key-0');
    if (isRejection(forgotten)) throw new Error(JSON.stringify(forgotten));
    expect(forgotten.order.requests).toHaveLength(next.order.requests.length + 1);
    expect(forgotten.order.client_keys.at(-1)).toBe('key-0');
  });
});

describe('transport timeouts', () => {
  let hanging: Server;
  let hangingUrl: string;
  beforeAll(async () => {
    hanging = createServer(() => undefined); // accepts, reads, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  it('merchantCallTimeoutMs: every outbound merchant call carries the limit, and the HTTP client gives up at its timeout', async () => {
    const seen: number[] = [];
    const inner = inProcessHttp(t.kassa);
    rt.http = { send: (request) => (seen.push(request.timeoutMs), inner.send(request)) };
    try {
      const id = await readyToShip();
      await ok('POST', `/merchant/v1/orders/${id}/ship`, {});
    } finally {
      rt.http = inProcessHttp(t.kassa);
    }
    expect(seen.length).toBeGreaterThan(3);
    expect(new Set(seen)).toEqual(new Set([bound('merchantCallTimeoutMs')]));
    // The real client enforces whatever it is given (a short one here: no waiting for the limit).
    await expect(guardedHttpClient(t.config.outbound).send({ method: 'GET', url: hangingUrl, headers: {}, timeoutMs: 50 })).rejects.toThrow(/timeout|abort/i);
  });

  it('webhookTimeoutMs: every webhook delivery carries the limit, and the transport gives up at its timeout', async () => {
    const seen: number[] = [];
    const transport = t.transport;
    const post = transport.post.bind(transport);
    transport.post = (url, headers, body, timeoutMs?: number) => (seen.push(timeoutMs!), post(url, headers, body));
    try {
      for (let i = 0; i < 3; i++) {
        const session = await ok('POST', '/payments/v1/sessions', { ...swedishOrder(), merchant_urls: { authorization: `https://shop.example/auth/${i}` } });
        await ok('POST', `/sandbox/v1/sessions/${session.session_id}/authorize`);
      }
      await t.kassa.deps.outbox.drain(account);
    } finally {
      transport.post = post;
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen)).toEqual(new Set([bound('webhookTimeoutMs')]));
    await expect(guardedTransport(t.config.outbound).post(hangingUrl, {}, '{}', 50)).rejects.toThrow(/timeout|abort/i);
  });
});

describe('sqlite group commit', () => {
  it('groupCommitBatchesMax: that many concurrent commits share one transaction; more are split, none larger, all written', async () => {
    const max = bound('groupCommitBatchesMax');
    const store = new SqliteStore({ path: ':memory:' });
    try {
      await store.createAccount({ id: 'acc-g', username: 'group', secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false });
      const commitAll = (prefix: string, n: number) =>
        Promise.all(Array.from({ length: n }, (_, i) => store.commit({ aggregates: [{ accountId: 'acc-g', type: 'counter', id: `${prefix}${i}`, expectedVersion: 0, state: { i }, now: 1 }] })));
      let before = { ...store.groupCommitStats };
      await commitAll('at-', max);
      expect(store.groupCommitStats.transactions - before.transactions).toBe(1);
      expect(store.groupCommitStats.batches - before.batches).toBe(max);
      expect(store.groupCommitStats.largestGroup).toBe(max);

      const beyond = 2 * max + 7;
      before = { ...store.groupCommitStats };
      await commitAll('over-', beyond);
      expect(store.groupCommitStats.transactions - before.transactions).toBe(3);
      expect(store.groupCommitStats.batches - before.batches).toBe(beyond);
      expect(store.groupCommitStats.largestGroup).toBe(max);
      for (const [prefix, n] of [['at-', max], ['over-', beyond]] as const) {
        for (let i = 0; i < n; i++) expect((await store.getAggregate('acc-g', 'counter', `${prefix}${i}`))?.state, `${prefix}${i}`).toEqual({ i });
      }
    } finally {
      await store.close();
    }
  });
});
