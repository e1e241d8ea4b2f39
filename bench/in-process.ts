/**
 * CPU per lifecycle operation without the network: Kassa in this process on a file SQLite store
 * (as shipped: group commit, WAL synced before acknowledgement, the shipped logger writing to a
 * file), the benchmark's own lifecycle (bench/workload.ts) driven through `app.inject` by 64
 * concurrent loops. The figure moves far less with the machine's load than throughput does, so it
 * is the one to compare when changing code. Then the same number of lifecycles again under V8's
 * sampling profiler (node:inspector), attributed to the stages of the request path
 * (bench/stages.ts): where each microsecond of an operation goes. Usage: `npm run bench:in-process`
 * (env N = lifecycles measured, LVL = log level, STAGES=0 skips the breakdown, TOP=n lists the n
 * busiest functions of the profiled pass).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createKassa, createLogger, ensureSandboxMerchant, logDestination } from '../src/kassa.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { breakdown, profileWhile, topFunctions } from './stages.js';
import { injectTarget, lifecycleOnce } from './workload.js';

const lifecycles = Number(process.env.N ?? 3000);
const concurrency = 64;
const dir = mkdtempSync(join(tmpdir(), 'kassa-in-process-'));
const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'kassa.db')}`, KASSA_LOG_LEVEL: process.env.LVL ?? 'info', KASSA_SANDBOX_MERCHANT: 'bench:bench-password-1234' }, process.cwd());
const kassa = await createKassa(config, { logger: createLogger(config, logDestination(join(dir, 'kassa.log'))) });
await ensureSandboxMerchant(kassa, () => {});
const authorization = `Basic ${Buffer.from('bench:bench-password-1234').toString('base64')}`;

/** The benchmark's own lifecycle (bench/workload.ts), its HTTP calls answered by `app.inject`. */
const target = injectTarget(kassa.app, authorization);
const lifecycle = () => lifecycleOnce(target);

async function run(count: number): Promise<void> {
  let left = count;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await lifecycle();
  }));
}

await run(500); // warm-up: JIT, caches, a few thousand rows in the store
const store = kassa.deps.engine.store;
const stats = () => (store instanceof SqliteStore ? { ...store.groupCommitStats } : undefined);
const statsBefore = stats();
const cpuBefore = process.cpuUsage();
const mainThreadBefore = mainThreadCpuUs();
const started = process.hrtime.bigint();
await run(lifecycles);
const cpu = process.cpuUsage(cpuBefore);
const mainThread = mainThreadCpuUs() - mainThreadBefore;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const statsAfter = stats();
const ops = lifecycles * 7;
const perOp = (us: number) => Math.round(us / ops);
console.log(
  `in-process: ${perOp(cpu.user + cpu.system)} µs CPU per operation (user ${perOp(cpu.user)}, system ${perOp(cpu.system)}; main thread ${perOp(mainThread)}), ${Math.round(ops / seconds)} ops/s`,
);
if (statsBefore && statsAfter) {
  const syncs = statsAfter.syncs - statsBefore.syncs;
  const transactions = statsAfter.transactions - statsBefore.transactions;
  const syncMs = Number(statsAfter.syncNs - statsBefore.syncNs) / 1e6 / Math.max(1, syncs);
  console.log(
    `  group commit: ${transactions} transactions, ${((statsAfter.batches - statsBefore.batches) / Math.max(1, transactions)).toFixed(1)} commits each; ` +
      `${syncs} WAL syncs (${(syncs / ops).toFixed(2)} per operation), ${syncMs.toFixed(2)} ms each on the thread pool`,
  );
}

if (process.env.STAGES !== '0') {
  const cpuProfiled = process.cpuUsage();
  const mainBefore = mainThreadCpuUs();
  const profile = await profileWhile(() => run(lifecycles));
  const mainUs = mainThreadCpuUs() - mainBefore;
  const profiledCpu = process.cpuUsage(cpuProfiled);
  const total = profiledCpu.user + profiledCpu.system;
  const b = breakdown(profile);
  // The samples say where the main thread was; its CPU time (from /proc) says how long it ran.
  // Sampled intervals are wall time (on a busy machine a preempted thread keeps its sample), so each
  // stage gets its share of the main thread's CPU time; the rest of the process's ran elsewhere.
  console.log(`\nwhere it goes (the same ${lifecycles} lifecycles again, under the sampling profiler: ${perOp(total)} µs CPU per operation, ${perOp(mainUs)} of it on the main thread):`);
  for (const row of b.rows) {
    const us = (row.us / b.busyUs) * mainUs;
    console.log(`  ${String(perOp(us)).padStart(4)} µs  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${row.name}`);
  }
  const elsewhere = Math.max(0, total - mainUs);
  console.log(`  ${String(perOp(elsewhere)).padStart(4)} µs  ${((100 * elsewhere) / total).toFixed(1).padStart(5)} %  other threads (WAL fdatasync and log writes on the thread pool, GC helpers)`);
  const top = Number(process.env.TOP ?? 0);
  if (top > 0) for (const line of topFunctions(profile, top)) console.log(`    ${line}`);
}

/** CPU time of this process's main thread (µs), from /proc; the process's own figure elsewhere. */
function mainThreadCpuUs(): number {
  try {
    // The main thread's task id is the process id; utime and stime are fields 14 and 15, in ticks
    // of USER_HZ (100 on Linux), after the command name (which may hold spaces).
    const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 1e4;
  } catch {
    const c = process.cpuUsage();
    return c.user + c.system;
  }
}

await kassa.close();
rmSync(dir, { recursive: true, force: true });
