/**
 * CPU and PostgreSQL statements per lifecycle operation, in this process: Kassa on a PostgreSQL
 * store (a fresh schema in DATABASE_URL's database, dropped afterwards), the benchmark's lifecycle
 * (bench/workload.ts) through `app.inject` by 64 concurrent loops. Counts the statements sent (each
 * one a round trip and a socket write) and the group commits, the figures group commit and
 * statement count changes move, and the CPU PostgreSQL's backends spent per operation (when the
 * server runs on this machine): on a machine whose cores are shared, the server's CPU is latency
 * too. C=4 comes close to the benchmark's half-load phase (groups of one). Usage: `DATABASE_URL=postgres://… node --import tsx
 * bench/postgres-in-process.ts` (env N = lifecycles measured, C = concurrent lifecycles, 64).
 */
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { createKassa, ensureSandboxMerchant } from '../src/kassa.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { procStat } from './support.js';
import { injectTarget, lifecycleOnce } from './workload.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const lifecycles = Number(process.env.N ?? 1500);
const concurrency = Number(process.env.C ?? 64);
const schema = `bench_inproc_${Date.now().toString(36)}`;
const store = new PostgresStore({ connectionString: url, schema });
let statements = 0;
const query = store.pool.query.bind(store.pool) as (...args: unknown[]) => unknown;
const bySql = new Map<string, number>();
(store.pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
  statements++;
  const first = args[0] as string | { text: string };
  const sql = (typeof first === 'string' ? first : first.text).slice(0, 60);
  bySql.set(sql, (bySql.get(sql) ?? 0) + 1);
  return query(...args);
};
const config = loadConfig({ DATABASE_URL: url, KASSA_LOG_LEVEL: 'warn', KASSA_SANDBOX_MERCHANT: 'bench:bench-password-1234' }, process.cwd());
const kassa = await createKassa(config, { store, logger: pino({ level: 'warn' }) });
await ensureSandboxMerchant(kassa, () => {});
const authorization = `Basic ${Buffer.from('bench:bench-password-1234').toString('base64')}`;

/** The benchmark's own lifecycle (bench/workload.ts), its HTTP calls answered by `app.inject`. */
const target = injectTarget(kassa.app, authorization);

/**
 * CPU seconds the database server's backends serving this store have used (Linux /proc; the
 * server must run on this machine), or undefined. PostgreSQL runs a process per connection; they
 * are found by the application_name the store sets.
 */
async function backendCpuSeconds(): Promise<number | undefined> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const pids = (await admin.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'kassa' AND datname = current_database()")).rows.map((r) => Number(r.pid));
    let ticks = 0;
    for (const pid of pids) {
      const fields = procStat(pid);
      if (!fields) return undefined;
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / 100; // USER_HZ
  } finally {
    await admin.end();
  }
}

async function run(count: number): Promise<void> {
  let left = count;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await lifecycleOnce(target);
  }));
}

try {
  await run(300);
  const before = { statements, ...store.groupCommitStats };
  // Every pooled connection is open after the warm-up at this concurrency; counted before and after.
  const serverBefore = await backendCpuSeconds();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run(lifecycles);
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const serverAfter = await backendCpuSeconds();
  const ops = lifecycles * 7;
  const groups = store.groupCommitStats.transactions - before.transactions;
  const batches = store.groupCommitStats.batches - before.batches;
  console.log(
    `postgres in-process: ${Math.round((cpu.user + cpu.system) / ops)} µs CPU per operation (this process), ${Math.round(ops / seconds)} ops/s, ` +
      `${((statements - before.statements) / ops).toFixed(2)} statements per operation, ${batches} commits in ${groups} groups (${(batches / Math.max(1, groups)).toFixed(1)} per group)` +
      (serverBefore !== undefined && serverAfter !== undefined ? `, ${Math.round(((serverAfter - serverBefore) * 1e6) / ops)} µs of PostgreSQL backend CPU per operation` : ''),
  );
  if (process.env.BY_SQL) for (const [sql, n] of [...bySql].sort((a, b) => b[1] - a[1])) console.log(n, sql);
} finally {
  await kassa.close();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}
