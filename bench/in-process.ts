/**
 * CPU per lifecycle operation without the network: Kassa in this process on a file SQLite store
 * (as shipped: group commit, WAL synced before acknowledgement, the shipped logger writing to a
 * file), the benchmark's lifecycle driven through `app.inject` by 64 concurrent loops. The figure
 * moves far less with the machine's load than throughput does, so it is the one to compare when
 * changing code. Usage: `node --import tsx bench/in-process.ts` (env N = lifecycles measured,
 * LVL = log level).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { createKassa, createLogger, ensureSandboxMerchant } from '../src/kassa.js';
import { orderBody } from './workload.js';

const lifecycles = Number(process.env.N ?? 3000);
const concurrency = 64;
const dir = mkdtempSync(join(tmpdir(), 'kassa-in-process-'));
const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'kassa.db')}`, KASSA_LOG_LEVEL: process.env.LVL ?? 'info', KASSA_SANDBOX_MERCHANT: 'bench:bench-password-1234' }, process.cwd());
const kassa = await createKassa(config, { logger: createLogger(config, pino.destination({ dest: join(dir, 'kassa.log'), sync: false })) });
await ensureSandboxMerchant(kassa, () => {});
const authorization = `Basic ${Buffer.from('bench:bench-password-1234').toString('base64')}`;

async function call(method: 'GET' | 'POST', url: string, expect: number, payload?: string): Promise<any> {
  const r = await kassa.app.inject({ method, url, payload, headers: { authorization, ...(payload ? { 'content-type': 'application/json' } : {}) } });
  if (r.statusCode !== expect) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
  return r.body ? JSON.parse(r.body) : undefined;
}

/** The benchmark's lifecycle (bench/workload.ts), seven operations. */
async function lifecycle(): Promise<void> {
  const session = await call('POST', '/payments/v1/sessions', 200, orderBody);
  const auth = await call('POST', `/sandbox/v1/sessions/${session.session_id}/authorize`, 200, '{}');
  const order = await call('POST', `/payments/v1/authorizations/${auth.authorization_token}/order`, 200, orderBody);
  const base = `/ordermanagement/v1/orders/${order.order_id}`;
  await call('POST', `${base}/captures`, 201, JSON.stringify({ captured_amount: 12000 }));
  await call('POST', `${base}/captures`, 201, JSON.stringify({ captured_amount: 8000 }));
  await call('POST', `${base}/refunds`, 201, JSON.stringify({ refunded_amount: 5000 }));
  const final = await call('GET', base, 200);
  if (final.captured_amount !== 20000 || final.refunded_amount !== 5000) throw new Error(`unexpected final order ${JSON.stringify(final)}`);
}

async function run(count: number): Promise<void> {
  let left = count;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await lifecycle();
  }));
}

await run(500); // warm-up: JIT, caches, a few thousand rows in the store
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
await run(lifecycles);
const cpu = process.cpuUsage(cpuBefore);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const ops = lifecycles * 7;
console.log(`in-process: ${Math.round((cpu.user + cpu.system) / ops)} µs CPU per operation (user ${Math.round(cpu.user / ops)}, system ${Math.round(cpu.system / ops)}), ${Math.round(ops / seconds)} ops/s`);
await kassa.close();
rmSync(dir, { recursive: true, force: true });
