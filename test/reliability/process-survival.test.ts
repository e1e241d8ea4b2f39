/**
 * Hostile input over a real socket, against Kassa started as users start it: malformed HTTP that
 * never reaches Fastify's routes (bad request lines, forbidden header bytes, conflicting
 * Content-Length / Transfer-Encoding, oversized headers, a client that hangs up mid-body) and the
 * hand-written nasties on every operation. The process must never restart (same pid, still
 * healthy), never answer 5xx, and answer every routed rejection in the Klarna error shape.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startKassaProcess, type KassaProcess } from '../support/process.js';
import { errorShapeProblem, seedBodies } from './fuzz/run-fuzz.js';
import { nasties } from './fuzz/nasties.js';
import { fillPath, operationKey, operationsOf } from './support/openapi.js';
import { Prng } from './support/prng.js';

/** Kassa's port: whichever free one it took (PORT=0). */
let port: number;
const dir = mkdtempSync(join(tmpdir(), 'kassa-survival-'));
const auth = `Basic ${Buffer.from('survivor:survivor-secret-1').toString('base64')}`;
let kassa: KassaProcess;
let pid: number | undefined;

beforeAll(async () => {
  kassa = await startKassaProcess({ DATABASE_URL: `sqlite:${join(dir, 'k.db')}`, KASSA_SANDBOX_MERCHANT: 'survivor:survivor-secret-1', KASSA_LOG_LEVEL: 'trace' }, 0);
  port = Number(new URL(kassa.url).port);
  pid = kassa.child.pid;
}, 120_000);
afterAll(async () => {
  await kassa?.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes and returns whatever comes back (or '' if the server just closes). */
async function raw(bytes: string | Buffer, options: { endAfterMs?: number; hangUp?: boolean } = {}): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // the server may reset the connection after answering
  const closed = new Promise((r) => socket.on('close', r));
  await once(socket, 'connect');
  let out = '';
  socket.on('data', (d) => (out += d.toString('latin1')));
  socket.write(bytes);
  if (options.hangUp) {
    socket.destroy();
    return '';
  }
  await Promise.race([closed, new Promise((r) => setTimeout(r, options.endAfterMs ?? 1500))]);
  socket.destroy();
  return out;
}

function statusOf(response: string): number | undefined {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(response);
  return m ? Number(m[1]) : undefined;
}

async function stillTheSameHealthyProcess(): Promise<void> {
  expect(kassa.child.exitCode).toBeNull();
  expect(kassa.child.signalCode).toBeNull();
  expect(kassa.child.pid).toBe(pid);
  expect((await fetch(`${kassa.url}/healthz`)).status).toBe(200);
}

it('survives malformed HTTP', async () => {
  const body = '{"seconds":1}';
  const cases: (string | Buffer)[] = [
    'GARBAGE\r\n\r\n',
    'GET / HTTP/9.9\r\n\r\n',
    'GET /payments/v1/sessions HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n',
    `GET /payments/v1/sessions HTTP/1.1\r\nHost: x\r\nX: ${'\u0001'}\r\n\r\n`,
    `POST /sandbox/v1/clock/advance HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 13\r\n\r\n${body}`,
    `POST /sandbox/v1/clock/advance HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
    `POST /sandbox/v1/clock/advance HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n${body}\r\n0\r\n\r\n`,
    `POST /sandbox/v1/clock/advance HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n`,
    `GET /sandbox/v1/account HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), // a TLS ClientHello on the plain port
  ];
  for (const c of cases) {
    const response = await raw(c);
    const status = statusOf(response);
    if (status === undefined) continue; // the server may just close the connection
    expect(status, String(c).slice(0, 80)).toBeLessThan(500);
    // Refusals from the HTTP parser too carry a correlation id and Klarna's v1 body.
    const [head = '', body = ''] = response.split('\r\n\r\n');
    const correlation = /^klarna-correlation-id: (.+)$/im.exec(head)?.[1]?.trim();
    expect(correlation, head).toBeTruthy();
    expect(JSON.parse(body)).toMatchObject({ error_code: expect.any(String), error_messages: [expect.any(String)], correlation_id: correlation });
  }
  // A client that announces a body and hangs up half-way, many times.
  for (let i = 0; i < 20; i++) {
    await raw(`POST /payments/v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"purchase_country":"SE",`, { hangUp: true });
  }
  await stillTheSameHealthyProcess();
});

it('survives every nasty on every operation over a real socket', async () => {
  const doc = await (await fetch(`${kassa.url}/openapi.json`)).json();
  const ops = operationsOf(doc);
  const rng = new Prng(3);
  const problems: string[] = [];
  for (const [n, nasty] of nasties.entries()) {
    const op = ops[n % ops.length]!;
    const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, 'c0ffee00-1111-4222-8333-944445555666'])));
    const body = op.body ? (seedBodies()[operationKey(op)]?.[0] ?? {}) : undefined;
    const r = nasty.make({ rng, op, url, body, authorization: auth, otherAuthorization: auth });
    let res: Response;
    try {
      res = await fetch(`${kassa.url}${r.url}`, { method: r.method, headers: r.headers, body: r.method === 'GET' || r.method === 'HEAD' ? undefined : (r.payload as string | undefined), redirect: 'manual' });
    } catch {
      continue; // not expressible by this client (forbidden method or header value)
    }
    const text = await res.text();
    const headers = Object.fromEntries(res.headers.entries());
    if (res.status >= 500) problems.push(`${nasty.name}: ${r.method} ${r.url.slice(0, 80)} -> ${res.status} ${text.slice(0, 120)}`);
    if (res.status >= 400) {
      const shape = errorShapeProblem(r.url, r.method, { statusCode: res.status, headers, body: text });
      if (shape) problems.push(`${nasty.name}: ${r.method} ${r.url.slice(0, 80)} -> ${res.status}: ${shape}`);
    }
  }
  expect(problems).toEqual([]);
  await stillTheSameHealthyProcess();
}, 120_000);

it('logged none of the credentials it was sent, even in refused raw requests (log level trace)', () => {
  const log = kassa.stdout();
  expect(log.length).toBeGreaterThan(100);
  expect(log).not.toContain('survivor-secret-1');
  expect(log).not.toContain(auth.slice('Basic '.length));
});
