/**
 * A test clock moved through one node while another serves the same account (two Kassa instances
 * on one PostgreSQL schema, both with their timer and outbox workers running, as two processes
 * would be). Every timer the advance makes due fires exactly once — the advancing node and the
 * other node's poller race for them — and every answer after the advance, from either node, shows
 * the new time: the clock, expired sessions and tokens, orders whose authorization ran out.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/app/ports.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { TimerRecord } from '../../src/store/port.js';
import { swedishOrder } from '../fixtures/orders.js';
import { authorize, createSession, placeOrder } from '../support/flows.js';
import { startTestKassa, startTime, type TestKassa } from '../support/harness.js';
import { postgresAvailable, testDatabaseUrl, uniqueSchema } from '../support/postgres.js';

describe.skipIf(!(await postgresAvailable()))('clock advance with two nodes on one database', () => {
  const schema = uniqueSchema('clock2');
  const clock = new ManualClock(startTime);
  let a: TestKassa;
  let b: TestKassa;

  beforeAll(async () => {
    const open = () => new PostgresStore({ connectionString: testDatabaseUrl, schema, poolSize: 4 });
    const env = { KASSA_POLL_INTERVAL_MS: '10' };
    a = await startTestKassa({ store: open(), clock, env });
    b = await startTestKassa({ store: open(), clock, env });
    a.kassa.startWorkers();
    b.kassa.startWorkers();
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('fires every due timer once and shows the new time on both nodes', async () => {
    // Node B serves the account: sessions (48 h), authorizations (60 min), orders (28 days).
    const m = a.merchant;
    const sessions = await Promise.all(Array.from({ length: 6 }, () => createSession(b, swedishOrder(), m)));
    const authorized = await createSession(b, swedishOrder(), m);
    const token = (await authorize(b, authorized, {}, m)).authorization_token!;
    const orders = await Promise.all(Array.from({ length: 4 }, () => placeOrder(b, swedishOrder(), { merchant: m })));
    const store = a.kassa.deps.engine.store;
    const pending: TimerRecord[] = await store.dueTimers(m.accountId, Number.MAX_SAFE_INTEGER, 1000);
    const days29 = 29 * 86400;
    const due = pending.filter((t) => t.dueAt <= startTime + days29 * 1000);
    expect(due.length).toBeGreaterThanOrEqual(sessions.length + 1 + orders.length);

    // Advance through A while B keeps serving the same account (reads and new writes).
    let serving = true;
    const traffic = (async () => {
      let n = 0;
      while (serving) {
        const r = await b.request('GET', '/sandbox/v1/clock', { merchant: m });
        expect(r.statusCode).toBe(200);
        if (n++ % 3 === 0) expect((await b.request('POST', '/payments/v1/sessions', { body: swedishOrder(), merchant: m })).statusCode).toBe(200);
      }
      return n;
    })();
    const advanced = await a.advance(days29, m);
    serving = false;
    expect(advanced.statusCode, advanced.body).toBe(200);
    expect(await traffic).toBeGreaterThan(0);

    // Both nodes answer with the new time.
    for (const node of [a, b]) {
      const c = (await node.request('GET', '/sandbox/v1/clock', { merchant: m })).json();
      expect(c.offset_seconds).toBe(days29);
      expect(Date.parse(c.now)).toBe(startTime + days29 * 1000);
      for (const s of sessions) expect((await node.request('GET', `/payments/v1/sessions/${s}`, { merchant: m })).statusCode).toBe(404);
      const late = await node.request('POST', `/payments/v1/authorizations/${token}/order`, { body: swedishOrder(), merchant: m });
      expect(late.statusCode).toBe(404);
    }

    // Every timer due by the new time has fired (its row is gone), each exactly once: one set of
    // events stamped with its due time per aggregate, not two.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await store.dueTimers(m.accountId, startTime + days29 * 1000, 1000)).length > 0) await new Promise((r) => setTimeout(r, 20));
    expect(await store.dueTimers(m.accountId, startTime + days29 * 1000, 1000)).toEqual([]);
    let stampedTotal = 0;
    for (const t of due) {
      expect(await store.getTimer(t.id)).toBeUndefined();
      // (Some firings change nothing that is recorded, e.g. a token already used; most do.)
      const stamped = (await store.listEvents(m.accountId, t.aggregateType, t.aggregateId)).filter((e) => e.occurredAt === t.dueAt);
      if (sessions.includes(t.aggregateId)) expect(stamped.length, `${t.kind} on ${t.aggregateId}`).toBeGreaterThan(0);
      stampedTotal += stamped.length;
      const types = stamped.map((e) => e.type);
      expect(new Set(types).size, `${t.kind} on ${t.aggregateId} fired more than once: ${types.join(', ')}`).toBe(types.length);
    }
    expect(stampedTotal).toBeGreaterThanOrEqual(sessions.length + orders.length);
    for (const o of orders) {
      const order = (await b.request('GET', `/ordermanagement/v1/orders/${o.orderId}`, { merchant: m })).json();
      expect(order.status).toBe('EXPIRED');
    }
  });
});
