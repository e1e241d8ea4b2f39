/**
 * Isolation: every operation Kassa publishes in /openapi.json, called with another merchant's
 * credentials on this merchant's objects, answers 404 — never 403, never the object — and nothing
 * of this merchant (ids, tokens) appears in any answer to the other one. Operations without an
 * object in the path run too, and must not show this merchant's data. Afterwards this merchant's
 * rows are exactly as before. The operation list comes from /openapi.json, so a new route is in the
 * matrix the day it is added (and fails here, naming its parameter, until the world has an object
 * for it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startTestKassa, type Merchant, type TestKassa } from '../support/harness.js';
import { seedBodies } from './fuzz/run-fuzz.js';
import { fillPath, operationKey, operationsOf, type Operation } from './support/openapi.js';
import { Prng } from './support/prng.js';
import { validValue, toJson } from './support/schema-values.js';
import { sqliteProbe, type StoreProbe } from './support/store-probe.js';
import { buildWorld, normParam, type World } from './support/world.js';
import { createHash } from 'node:crypto';

/**
 * Routes a customer's browser follows without credentials: they find the object across accounts
 * by design and answer only a redirect to the merchant's own confirmation URL.
 */
const publicRoutes = new Set(['GET /payments/v1/redirect/{order_id}', 'GET /payments/v1/redirect/token/{token_id}']);

let t: TestKassa;
let store: SqliteStore;
let probe: StoreProbe;
let world: World;
let intruder: Merchant;
let ops: Operation[];

async function rowsOf(accountId: string): Promise<string> {
  const h = createHash('sha256');
  for (const table of ['aggregates', 'events', 'timers', 'outbox', 'idempotency', 'lookup_keys']) {
    const rows = await probe.query(`SELECT * FROM ${table} WHERE account_id = $1`, [accountId]);
    h.update(table).update(JSON.stringify(rows.map((r) => JSON.stringify(r)).sort()));
  }
  return h.digest('hex');
}

beforeAll(async () => {
  store = new SqliteStore({ path: ':memory:' });
  t = await startTestKassa({ store });
  probe = sqliteProbe(store.db);
  world = await buildWorld(t, t.merchant);
  intruder = await t.createMerchant();
  ops = operationsOf((await t.request('GET', '/openapi.json', { merchant: null })).json());
});
afterAll(async () => t.close());

function bodyFor(op: Operation, rng: Prng): string | undefined {
  if (!op.body) return undefined;
  const seeds = seedBodies()[operationKey(op)];
  return toJson(seeds?.length ? seeds[0] : validValue(op.body, rng));
}

/** A's ids or secrets found in a response that B did not send itself. */
function leaked(body: string, sentUrl: string): string[] {
  return world.all.filter((v) => body.includes(v) && !decodeURIComponent(sentUrl).includes(v));
}

describe('isolation matrix', () => {
  it('covers every published operation, and the only public ones are the known redirects', async () => {
    expect(ops.length).toBeGreaterThan(5);
    const found: string[] = [];
    for (const op of ops) {
      const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, world.ids.get(normParam(p.name)) ?? 'x'])));
      const res = await t.request(op.method, url, { merchant: null, body: op.body ? bodyFor(op, new Prng(1)) : undefined });
      if (res.statusCode !== 401) found.push(operationKey(op));
    }
    expect(found.sort()).toEqual([...publicRoutes].sort());
  });

  it("another merchant gets 404 for every operation on this merchant's objects, and sees none of its data", async () => {
    const before = await rowsOf(world.merchant.accountId);
    const problems: string[] = [];
    const rng = new Prng(7);
    for (const op of ops) {
      if (publicRoutes.has(operationKey(op))) continue;
      const values: Record<string, string> = {};
      for (const p of op.pathParams) {
        const id = world.ids.get(normParam(p.name));
        if (!id) problems.push(`${operationKey(op)}: no object for path parameter ${p.name} in test/reliability/support/world.ts`);
        values[p.name] = id ?? 'missing';
      }
      const url = fillPath(op.path, values);
      const res = await t.request(op.method, url, { merchant: intruder, body: bodyFor(op, rng), headers: { 'klarna-idempotency-key': rng.uuid() } });
      const where = `${op.method} ${url} -> ${res.statusCode} ${res.body.slice(0, 200)}`;
      if (res.statusCode >= 500) problems.push(`server error: ${where}`);
      if (op.pathParams.length && res.statusCode !== 404) problems.push(`expected 404: ${where}`);
      const leaks = leaked(res.body + JSON.stringify(res.headers), url);
      if (leaks.length) problems.push(`leaked ${leaks.join(', ')}: ${where}`);
    }
    expect(problems).toEqual([]);
    expect(await rowsOf(world.merchant.accountId)).toBe(before);
  });

  it('the owner still reaches every object (the 404s above were about the caller, not the ids)', async () => {
    const reads = ops.filter((op) => op.method === 'GET' && op.pathParams.length && !publicRoutes.has(operationKey(op)));
    for (const op of reads) {
      const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, world.ids.get(normParam(p.name))!])));
      const res = await t.request('GET', url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    }
  });
});
