/**
 * CPU per lifecycle operation without the network: Kassa in this process on a file SQLite store
 * (as shipped: group commit, WAL synced before acknowledgement, the shipped logger writing to a
 * file), the benchmark's own lifecycle (bench/workload.ts) driven through `app.inject` by 64
 * concurrent loops. The figure moves far less with the machine's load than throughput does, so it
 * is the one to compare when changing code. Usage: `npm run bench:in-process` (env N = lifecycles
 * measured, LVL = log level).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { createKassa, createLogger, ensureSandboxMerchant } from '../src/kassa.js';
import { lifecycleOnce, type Target } from './workload.js';

const lifecycles = Number(process.env.N ?? 3000);
const concurrency = 64;
const dir = mkdtempSync(join(tmpdir(), 'kassa-in-process-'));
const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'kassa.db')}`, KASSA_LOG_LEVEL: process.env.LVL ?? 'info', KASSA_SANDBOX_MERCHANT: 'bench:bench-password-1234' }, process.cwd());
const kassa = await createKassa(config, { logger: createLogger(config, pino.destination({ dest: join(dir, 'kassa.log'), sync: false })) });
await ensureSandboxMerchant(kassa, () => {});
const authorization = `Basic ${Buffer.from('bench:bench-password-1234').toString('base64')}`;

/** The benchmark's own lifecycle (bench/workload.ts), its HTTP calls answered by `app.inject`. */
const target: Target = {
  authorization,
  pool: {
    async request({ method, path, headers, body }) {
      const r = await kassa.app.inject({ method, url: path, headers, payload: body });
      return { statusCode: r.statusCode, body: { text: async () => r.body } };
    },
  },
  record: (_started, _latencyUs, error) => {
    if (error) throw new Error(error);
  },
  error: (message) => {
    throw new Error(message);
  },
};
const lifecycle = () => lifecycleOnce(target);

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
