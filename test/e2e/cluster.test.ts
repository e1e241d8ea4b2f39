/**
 * KASSA_WORKERS=2 over a real socket: several processes serve one port and one SQLite file. Many
 * lifecycles at once reach both workers and every one of them ends with exact amounts (no lost
 * update across processes), racing captures of one order never capture more than authorized,
 * SIGTERM stops the whole cluster cleanly, and after kill -9 of the primary the workers go too and
 * every acknowledged write is there on the next start.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { swedishOrder as swedishOrderOf } from '../fixtures/orders.js';
import { startKassaProcess, type KassaProcess } from '../support/process.js';

const dir = mkdtempSync(join(tmpdir(), 'kassa-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const swedishOrder = swedishOrderOf();
const auth = `Basic ${Buffer.from('shop:shop-secret-1').toString('base64')}`;

async function call(url: string, method: string, body?: unknown) {
  const res = await fetch(url, { method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function placeOrder(k: KassaProcess): Promise<string> {
  const session = await call(`${k.url}/payments/v1/sessions`, 'POST', swedishOrder);
  expect(session.status).toBe(200);
  const authorized = await call(`${k.url}/sandbox/v1/sessions/${session.json.session_id}/authorize`, 'POST', {});
  expect(authorized.status).toBe(200);
  const order = await call(`${k.url}/payments/v1/authorizations/${authorized.json.authorization_token}/order`, 'POST', swedishOrder);
  expect(order.status).toBe(200);
  return order.json.order_id as string;
}

/** Pids of the cluster's workers (children of the primary), from /proc. */
function workerPids(primary: number): number[] {
  const children = readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim();
  return children ? children.split(/\s+/).map(Number) : [];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Each test boots up to six processes (a primary and its workers, twice): on a busy 2-core machine
// that alone can pass the suite's 30 s default.
describe('KASSA_WORKERS=2', { timeout: 120_000 }, () => {
  const env = { DATABASE_URL: `sqlite:${join(dir, 'cluster.db')}`, KASSA_SANDBOX_MERCHANT: 'shop:shop-secret-1', KASSA_WORKERS: '2', KASSA_LOG_LEVEL: 'info' };

  it('serves concurrent lifecycles from both workers with exact amounts, and stops on SIGTERM', async () => {
    const k = await startKassaProcess(env);
    try {
      await expect.poll(() => (k.stdout().match(/"msg":"kassa listening"/g) ?? []).length, { timeout: 30_000 }).toBe(2);
      expect(workerPids(k.child.pid!)).toHaveLength(2);
      const total = swedishOrder.order_amount;
      const orders = await Promise.all(
        Array.from({ length: 12 }, async () => {
          const id = await placeOrder(k);
          const base = `${k.url}/ordermanagement/v1/orders/${id}`;
          expect((await call(`${base}/captures`, 'POST', { captured_amount: total - 100 })).status).toBe(201);
          expect((await call(`${base}/captures`, 'POST', { captured_amount: 100 })).status).toBe(201);
          expect((await call(`${base}/refunds`, 'POST', { refunded_amount: 50 })).status).toBe(201);
          return id;
        }),
      );
      for (const id of orders) {
        const order = (await call(`${k.url}/ordermanagement/v1/orders/${id}`, 'GET')).json;
        expect(order).toMatchObject({ status: 'CAPTURED', captured_amount: total, refunded_amount: 50 });
      }
      // Both workers answered requests (each logs its own request lines under its own pid).
      const pids = new Set([...k.stdout().matchAll(/"pid":(\d+)[^\n]*"msg":"request"/g)].map((m) => m[1]));
      expect(pids.size).toBe(2);
    } finally {
      expect(await k.stop('SIGTERM')).toBe(0);
    }
  });

  it('never captures more than authorized when captures of one order race across workers', async () => {
    const k = await startKassaProcess(env);
    try {
      const id = await placeOrder(k);
      const part = Math.floor(swedishOrder.order_amount / 4);
      const results = await Promise.all(Array.from({ length: 10 }, () => call(`${k.url}/ordermanagement/v1/orders/${id}/captures`, 'POST', { captured_amount: part })));
      const accepted = results.filter((r) => r.status === 201).length;
      expect(accepted).toBe(4);
      expect(results.every((r) => r.status === 201 || (r.status >= 400 && r.status < 500))).toBe(true);
      const order = (await call(`${k.url}/ordermanagement/v1/orders/${id}`, 'GET')).json;
      expect(order.captured_amount).toBe(part * 4);
      expect(order.captures).toHaveLength(4);
    } finally {
      await k.stop('SIGTERM');
    }
  });

  it('takes its workers down with a killed primary, and keeps every acknowledged write', async () => {
    const k = await startKassaProcess(env);
    let workers: number[] = [];
    let ids: string[];
    try {
      await expect.poll(() => workerPids(k.child.pid!).length, { timeout: 30_000 }).toBe(2);
      workers = workerPids(k.child.pid!);
      ids = await Promise.all(Array.from({ length: 6 }, () => placeOrder(k)));
    } finally {
      await k.stop('SIGKILL');
      // Even when an assertion above failed: no worker may outlive the test.
      await expect.poll(() => workers.filter(alive).length, { timeout: 10_000 }).toBe(0);
    }
    const again = await startKassaProcess(env);
    try {
      for (const id of ids) expect((await call(`${again.url}/ordermanagement/v1/orders/${id}`, 'GET')).status).toBe(200);
    } finally {
      await again.stop('SIGTERM');
    }
  });
});
