/**
 * A merchant order survives kill -9 between any two of its steps. Kassa runs as a child process
 * (test/merchant/child/crash-kassa.ts) whose merchant role kills itself right before sending, or
 * right after receiving the answer to, one kind of outbound call; the test restarts it on the same
 * data folder and the order carries on to the end — with every provider-side effect done once:
 * one session, one order, one capture, one refund.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/process.js';
import { FakeKlarna } from './fake-klarna.js';
import { standardCart } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'kassa-kill9-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const auth = `Basic ${Buffer.from('shop:shop-secret-1').toString('base64')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  process: ChildProcess;
  url: string;
  output: () => string;
}

async function startChild(db: string, port: number, crashAt?: string): Promise<Child> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/merchant/child/crash-kassa.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      DATABASE_URL: `sqlite:${db}`,
      KASSA_PUBLIC_URL: url,
      KASSA_SANDBOX_MERCHANT: 'shop:shop-secret-1',
      KASSA_POLL_INTERVAL_MS: '50',
      KASSA_LOG_LEVEL: 'warn',
      ...(crashAt ? { TEST_CRASH_AT: crashAt } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  for (let i = 0; i < 1200 && !out.includes('ready'); i++) {
    if (child.exitCode !== null) throw new Error(`child exited early (${child.exitCode}):\n${out}`);
    await sleep(50);
  }
  if (!out.includes('ready')) throw new Error(`child did not start:\n${out}`);
  return { process: child, url, output: () => out };
}

async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGKILL');
  await once(child.process, 'exit');
}

class Crashed extends Error {}

async function call(base: string, method: string, path: string, body?: unknown, key?: string): Promise<any> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(key ? { 'klarna-idempotency-key': key } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Crashed();
  }
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Takes the order one step further each time it rests, using the merchant's own idempotency keys
 * so that a request the crash cut off can be sent again. Returns when the flow is done or the
 * child died.
 */
async function driveFlow(
  base: string,
  state: { orderId?: string; token?: string },
  setup: () => Promise<void>,
  authorize: (sessionId: string) => Promise<string>,
  child: Child,
): Promise<'done' | 'crashed'> {
  try {
    for (let i = 0; i < 2000; i++) {
      if (child.process.exitCode !== null || child.process.signalCode !== null) return 'crashed';
      if (!state.orderId) {
        await setup();
        state.orderId = (await call(base, 'POST', '/merchant/v1/orders', standardCart(), 'checkout-1')).order_id;
        continue;
      }
      const o = await call(base, 'GET', `/merchant/v1/orders/${state.orderId}`);
      if (o.pending_steps.some((s: { due_at: string }) => Date.parse(s.due_at) <= Date.now() + 1000)) {
        await sleep(50);
        continue;
      }
      if (o.state === 'checkout' && o.checkout) {
        state.token ??= await authorize(o.checkout.session_id);
        await call(base, 'POST', `/merchant/v1/orders/${state.orderId}/authorize`, { authorization_token: state.token }, 'authorize-1');
      } else if (o.state === 'ready_to_ship') {
        await call(base, 'POST', `/merchant/v1/orders/${state.orderId}/ship`, { shipping_info: [{ shipping_company: 'DHL', tracking_number: 'T-1' }] }, 'ship-1');
      } else if (o.state === 'captured' && o.refunds.length === 0) {
        await call(base, 'POST', `/merchant/v1/orders/${state.orderId}/refunds`, { refunded_amount: 3000 }, 'refund-1');
      } else if (o.state === 'captured' && o.refunds[0].status !== 'PENDING') {
        return 'done';
      } else {
        await sleep(50);
      }
    }
    throw new Error('the flow did not finish');
  } catch (error) {
    if (error instanceof Crashed) return 'crashed';
    throw error;
  }
}

const crashPoints = ['session', 'place_order', 'read_order', 'capture', 'refund'].flatMap((kind) => [`before:${kind}`, `after:${kind}`]);

/** The request log of an order that went all the way: checkout, authorization, capture, refund. */
const finishedRequestLog = ['session:COMPLETED', 'authorization:AUTHORIZED', 'check_status:AUTHORIZED', 'capture:SETTLED', 'refund:REFUNDED'];
const requestLog = (order: { requests: { kind: string; status: string }[] }) => order.requests.map((r) => `${r.kind}:${r.status}`);

/**
 * Runs the flow once per crash point, each time in a fresh child on the same data that is killed
 * at that point, then once more without a crash; every crash point must have been reached.
 */
async function crashAtEveryPoint(
  db: string,
  port: number,
  setup: (child: Child) => Promise<void>,
  authorize: (child: Child, sessionId: string) => Promise<string>,
): Promise<{ orderId?: string; token?: string }> {
  const state: { orderId?: string; token?: string } = {};
  const crashed: string[] = [];
  for (const point of [...crashPoints, undefined]) {
    const child = await startChild(db, port, point);
    try {
      const result = await driveFlow(child.url, state, () => setup(child), (sessionId) => authorize(child, sessionId), child);
      if (point) {
        expect(result, `crash point ${point} was reached`).toBe('crashed');
        crashed.push(point);
      } else expect(result).toBe('done');
    } finally {
      await stopChild(child);
    }
  }
  expect(crashed).toEqual(crashPoints);
  return state;
}

// The two providers run side by side (own data folder, port and children each): each is a minute
// of process starts, one after another.
describe.concurrent('a merchant order survives kill -9 between any two steps', () => {
  it(
    'against another Klarna-compatible provider: crash before and after each outbound call, restart, finish once',
    async () => {
      const fake = await new FakeKlarna('fake-user', 'fake-password', () => Date.now()).start();
      const db = join(dir, 'fake.db');
      const port = await freePort();
      try {
        const state = await crashAtEveryPoint(
          db,
          port,
          async (child) => void (await call(child.url, 'PUT', '/merchant/v1/connection', { base_url: fake.url, username: 'fake-user', password: 'fake-password' })),
          async (_child, sessionId) => fake.authorize(sessionId),
        );

        const child = await startChild(db, port);
        try {
          const order = await call(child.url, 'GET', `/merchant/v1/orders/${state.orderId}`);
          expect(order.state).toBe('captured');
          expect(requestLog(order)).toEqual(finishedRequestLog);
          expect(order.refunds).toEqual([expect.objectContaining({ refunded_amount: 3000, status: 'REFUNDED' })]);
        } finally {
          await stopChild(child);
        }
        expect(fake.sessions.size).toBe(1);
        expect(fake.orders.size).toBe(1);
        const provider = [...fake.orders.values()][0]!;
        expect(provider.captures).toHaveLength(1);
        expect(provider.refunds).toHaveLength(1);
        for (const path of [/\/captures$/, /\/refunds$/, /^\/payments\/v1\/sessions$/, /\/order$/]) {
          const keys = new Set(fake.callsTo('POST', path).map((c) => c.idempotencyKey));
          expect(keys.size, `one idempotency key for ${path}`).toBe(1);
        }
        // Crashing after the answer re-sends the same call: the provider answered it once more
        // from its idempotency store, without a second effect.
        expect(fake.callsTo('POST', /\/captures$/)).toHaveLength(2);
      } finally {
        await fake.stop();
      }
    },
    600_000,
  );

  it(
    "against Kassa's own provider role (both roles in the child): crash before and after each outbound call, restart, finish once",
    async () => {
      const db = join(dir, 'kassa.db');
      const port = await freePort();
      const state = await crashAtEveryPoint(
        db,
        port,
        async () => undefined,
        async (child, sessionId) => (await call(child.url, 'POST', `/sandbox/v1/sessions/${sessionId}/authorize`, { billing_address: { email: 'customer@email.se' } })).authorization_token as string,
      );

      const child = await startChild(db, port);
      try {
        const order = await call(child.url, 'GET', `/merchant/v1/orders/${state.orderId}`);
        expect(requestLog(order)).toEqual(finishedRequestLog);
        const provider = await call(child.url, 'GET', `/ordermanagement/v1/orders/${order.klarna.order_id}`);
        expect(provider).toMatchObject({ status: 'CAPTURED', captured_amount: 10000, refunded_amount: 3000 });
        expect(provider.captures).toHaveLength(1);
        expect(provider.refunds).toHaveLength(1);
      } finally {
        await stopChild(child);
      }
    },
    600_000,
  );
});
