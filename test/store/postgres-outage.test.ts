/**
 * PostgreSQL going away under a running Kassa: while the database cannot be reached every request
 * that needs it answers 503 TEMPORARILY_UNAVAILABLE in Klarna's error shape (v1 or v2 by path);
 * once it is back, Kassa serves again without a restart; nothing acknowledged is lost and a request
 * whose answer was a 503, retried with its Klarna-Idempotency-Key, has exactly one effect.
 * Two ways to lose the database, neither touching the shared server: a proxy in between that resets
 * every connection and refuses new ones (a restart, a network cut), and pg_terminate_backend on
 * this Kassa's own backends (found by their application_name).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../src/domain/limits.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { swedishOrder } from '../fixtures/orders.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { postgresAvailable, testDatabaseUrl, uniqueSchema } from '../support/postgres.js';
import { TcpProxy } from '../support/tcp-proxy.js';

describe.skipIf(!(await postgresAvailable()))('PostgreSQL outage', () => {
  const schema = uniqueSchema('outage');
  const applicationName = `kassa-${schema}`;
  const target = new URL(testDatabaseUrl);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  let t: TestKassa;

  beforeAll(async () => {
    await proxy.start();
    const viaProxy = new URL(testDatabaseUrl);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const store = new PostgresStore({ connectionString: viaProxy.toString(), schema, poolSize: 4, applicationName });
    t = await startTestKassa({ store });
  });

  afterAll(async () => {
    await t?.close();
    await proxy.stop();
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  const createSession = (key: string, amount = 10000) => t.request('POST', '/payments/v1/sessions', { body: swedishOrder(amount), headers: { 'klarna-idempotency-key': key } });
  const storedSessions = async () => (await t.kassa.deps.engine.store.listAggregates(t.merchant.accountId, 'session', { limit: 1000 })).map((a) => a.id);

  it('answers 503 in the v1 and v2 error shapes while the database is unreachable, and recovers by itself', async () => {
    const before = await createSession('before-cut');
    expect(before.statusCode).toBe(200);
    proxy.cut();
    const during = await createSession('during-cut');
    expect(during.statusCode).toBe(503);
    expect(during.headers['retry-after']).toBe('1');
    expect(during.headers['klarna-correlation-id']).toBeTruthy();
    expect(during.json()).toEqual({ error_code: 'TEMPORARILY_UNAVAILABLE', error_messages: [expect.any(String)], correlation_id: during.headers['klarna-correlation-id'] });
    const read = await t.request('GET', `/payments/v1/sessions/${before.json().session_id}`);
    expect(read.statusCode).toBe(503);
    const v2 = await t.request('GET', '/v2/notification/webhooks');
    expect(v2.statusCode).toBe(503);
    expect(v2.json()).toMatchObject({ error_type: 'TECHNICAL_ERROR', error_code: 'TEMPORARILY_UNAVAILABLE', error_id: v2.headers['klarna-correlation-id'] });

    proxy.restore();
    const retried = await createSession('during-cut');
    expect(retried.statusCode).toBe(200);
    expect((await t.request('GET', `/payments/v1/sessions/${before.json().session_id}`)).statusCode).toBe(200);
    const sessions = await storedSessions();
    expect(sessions).toContain(before.json().session_id);
    expect(sessions).toContain(retried.json().session_id);
    expect(sessions.length).toBe(2);
  });

  /** Sends `n` creates at once, breaks the database mid-way, then settles every one with its key. */
  async function breakUnderLoad(n: number, prefix: string, breakIt: () => Promise<void>): Promise<void> {
    const already = new Set(await storedSessions());
    const keys = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    let answered = 0;
    const first = Promise.all(keys.map((k, i) => createSession(k, 5000 + i * 100).finally(() => answered++)));
    // Break it once the first answers are out: some requests done, some mid-commit, some not begun.
    while (answered < 3) await new Promise((r) => setImmediate(r));
    await breakIt();
    const answers = await first;
    for (const a of answers) expect([200, 503]).toContain(a.statusCode);
    const acknowledged = new Map<string, string>();
    answers.forEach((a, i) => a.statusCode === 200 && acknowledged.set(keys[i]!, a.json().session_id));
    // Settle the 503s: the same request with the same key, until the database answers.
    for (const [i, k] of keys.entries()) {
      if (acknowledged.has(k)) continue;
      for (let attempt = 0; ; attempt++) {
        const again = await createSession(k, 5000 + i * 100);
        if (again.statusCode === 200) {
          acknowledged.set(k, again.json().session_id);
          break;
        }
        expect(again.statusCode).toBe(503);
        expect(attempt).toBeLessThan(100);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    // Exactly one session per key: nothing acknowledged lost, no second effect of a retry.
    const added = (await storedSessions()).filter((id) => !already.has(id));
    expect(new Set(acknowledged.values()).size).toBe(n);
    expect(added.sort()).toEqual([...acknowledged.values()].sort());
  }

  it('loses nothing and doubles nothing when the connections are reset under load', async () => {
    await breakUnderLoad(30, 'reset', async () => {
      proxy.cut();
      await new Promise((r) => setTimeout(r, 100));
      proxy.restore();
    });
  });

  it('loses nothing and doubles nothing when its backends are terminated (pg_terminate_backend)', async () => {
    await breakUnderLoad(30, 'terminate', async () => {
      const admin = new pg.Client({ connectionString: testDatabaseUrl });
      await admin.connect();
      try {
        const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
        expect(killed.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
    });
    expect((await createSession('after-terminate')).statusCode).toBe(200);
  });

  it(`gives up on a database that never answers after limits.postgresConnectTimeoutMs (${limits.postgresConnectTimeoutMs} ms): 503, not a hung request`, async () => {
    // Idle pooled connections would still work: take them out by cutting, then drop new ones silently.
    proxy.cut();
    proxy.restore();
    proxy.blackhole = true;
    try {
      const started = Date.now();
      const r = await t.request('GET', '/sandbox/v1/clock');
      const took = Date.now() - started;
      expect(r.statusCode).toBe(503);
      expect(r.json().error_code).toBe('TEMPORARILY_UNAVAILABLE');
      expect(took).toBeGreaterThanOrEqual(limits.postgresConnectTimeoutMs - 100);
      expect(took).toBeLessThan(limits.postgresConnectTimeoutMs * 3);
    } finally {
      proxy.blackhole = false;
      proxy.cut();
      proxy.restore();
    }
    expect((await t.request('GET', '/sandbox/v1/clock')).statusCode).toBe(200);
  }, 30_000);
});
