/**
 * At-least-once across a crash: Kassa runs as a child process (`node --import tsx src/main.ts`)
 * on a temporary SQLite file, commits a webhook event, is killed with SIGKILL before the event
 * reaches the receiver, and is started again on the same file: the event is delivered after the
 * restart, with the event_id the delivery log recorded before the kill, and a valid signature.
 * Ports are free ones the OS picks (never fixed ones another run on the machine might hold); Kassa
 * keeps its port across the restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../support/process.js';

const user = 'crash_merchant';
const password = 'crash-password-123';
const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function startKassa(dir: string, port: number, pollIntervalMs: number): ChildProcess {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('KASSA_')) env[key] = value;
  Object.assign(env, {
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: `sqlite:${join(dir, 'kassa.db')}`,
    KASSA_SANDBOX_MERCHANT: `${user}:${password}`,
    KASSA_LOG_LEVEL: 'warn',
    KASSA_POLL_INTERVAL_MS: String(pollIntervalMs),
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  child.on('exit', (code, signal) => {
    if (code !== null && code !== 0) console.error(`kassa exited ${code}: ${output}`);
    void signal;
  });
  cleanups.push(() => kill(child));
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function api(port: number, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function startReceiver(port: number): Promise<{ received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { received, server };
}

/** Starts Kassa, waits for it, and subscribes a webhook to `receiverPort`. */
async function prepare(dir: string, port: number, receiverPort: number, pollIntervalMs: number) {
  const child = startKassa(dir, port, pollIntervalMs);
  await until('kassa to listen', async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined));
  const key = await api(port, 'POST', '/v2/notification/signing-keys');
  expect(key.status).toBe(201);
  const hook = await api(port, 'POST', '/v2/notification/webhooks', { url: `http://127.0.0.1:${receiverPort}/hook`, event_types: ['payment.request.*'], signing_key_id: key.json.signing_key_id });
  expect(hook.status).toBe(201);
  const account = (await api(port, 'GET', '/sandbox/v1/account')).json.account_id as string;
  return { child, secret: key.json.signing_key as string, webhookId: hook.json.webhook_id as string, account };
}

async function createRequest(port: number, account: string): Promise<string> {
  const r = await api(port, 'POST', `/v2/accounts/${account}/payment/authorize`, { currency: 'EUR', request_payment_transaction: { amount: 4200 }, step_up_config: { payment_request_reference: 'crash-1' } });
  expect(r.status).toBe(200);
  return r.json.payment_request.payment_request_id;
}

describe('webhook delivery survives SIGKILL', { timeout: 120_000 }, () => {
  it('an event committed while the receiver is down, with a failed attempt, is delivered after restart with the same event_id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const [port, receiverPort] = (await freePorts(2)) as [number, number];
    const first = await prepare(dir, port, receiverPort, 50);
    const requestId = await createRequest(port, first.account);

    // The receiver is down: the first attempt fails and a retry is scheduled.
    const failed = await until('a failed attempt', async () => {
      const d = (await api(port, 'GET', `/v2/notification/webhooks/${first.webhookId}/deliveries`)).json.deliveries[0];
      return d && d.attempt_count >= 1 ? d : undefined;
    });
    expect(failed.status).toBe('PENDING');
    await kill(first.child);

    const { received } = await startReceiver(receiverPort);
    startKassa(dir, port, 50);
    await until('kassa to listen again', async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined));
    expect((await api(port, 'POST', '/sandbox/v1/clock/advance', { seconds: 60 })).status).toBe(200);
    const got = await until('the delivery', async () => received[0]);
    const envelope = JSON.parse(got.body);
    expect(envelope.metadata).toMatchObject({ event_id: failed.event_id, event_type: 'payment.request.state-change.submitted', webhook_id: first.webhookId });
    expect(envelope.payload).toMatchObject({ payment_request_id: requestId, payment_request_reference: 'crash-1' });
    expect(got.headers['klarna-signature']).toBe(createHmac('sha256', first.secret).update(got.body).digest('hex'));
    const log = await until('the log to say DELIVERED', async () => {
      const d = (await api(port, 'GET', `/v2/notification/webhooks/${first.webhookId}/deliveries/${failed.delivery_id}`)).json;
      return d.status === 'DELIVERED' ? d : undefined;
    });
    expect(log.attempts.at(-1).status_code).toBe(200);
    expect(log.attempts[0]).toMatchObject({ status_code: null, error: expect.stringMatching(/fetch failed|ECONNREFUSED/) });
  });

  it('an event committed just before the kill, never attempted, is delivered after restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const [port, receiverPort] = (await freePorts(2)) as [number, number];
    const { received } = await startReceiver(receiverPort);
    // A poll interval far beyond the test: the dispatcher never runs before the kill.
    const first = await prepare(dir, port, receiverPort, 60_000);
    const requestId = await createRequest(port, first.account);
    const [pending] = (await api(port, 'GET', `/v2/notification/webhooks/${first.webhookId}/deliveries`)).json.deliveries;
    expect(pending).toMatchObject({ status: 'PENDING', attempt_count: 0 });
    await kill(first.child);
    expect(received).toEqual([]);

    startKassa(dir, port, 50);
    const got = await until('the delivery after restart', async () => received[0]);
    expect(JSON.parse(got.body).metadata.event_id).toBe(pending.event_id);
    expect(JSON.parse(got.body).payload.payment_request_id).toBe(requestId);
    expect(got.headers['klarna-signature']).toBe(createHmac('sha256', first.secret).update(got.body).digest('hex'));
    expect(got.headers['klarna-signing-key-id']).toBeDefined();
  });
});
