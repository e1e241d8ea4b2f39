/**
 * `npm run bench`: one run, three targets, one load generator.
 *   1. bare node:http (bench/bare-server.ts): the ceiling on this machine;
 *   2. Kassa as users start it (`node --import tsx src/main.ts`, embedded SQLite with
 *      synchronous=FULL in a fresh temp data dir) under the lifecycle workload;
 *   3. the same on PostgreSQL when DATABASE_URL is a postgres:// URL (a fresh database is created
 *      for the run and dropped afterwards when the role may; synchronous_commit must be on);
 *   4. then three Kassa nodes on one PostgreSQL database, the load spread over them
 *      (bench/postgres-nodes.ts).
 * Every target runs in its own process, the load in another (bench/load.ts), with the same
 * connection count. Prints a table, writes bench/results/bench-<time>.json, and ends with
 * `kassa <N> ops/s, bare node:http <M> req/s, ratio <N/M>` for the SQLite run.
 *
 * Knobs (environment): BENCH_CONNECTIONS (64), BENCH_WARMUP_S (3), BENCH_DURATION_S (10),
 * BENCH_OPEN_LOOP_S (8), BENCH_PORT_BASE (a free port from the OS when unset), BENCH_ONLY
 * (comma list of bare,sqlite,sqlite-workers,postgres,postgres-nodes), BENCH_NODES (3), BENCH_CPU_PROF=1 (Kassa runs with --cpu-prof into
 * bench/results/), BENCH_LIFECYCLE_STEPS (run only the first N calls of the lifecycle, for profiling),
 * BENCH_OPEN_LOOP_OPS (the "half load" phase asks this fixed rate instead of half the measured
 * throughput; for before/after pairs on a busy machine).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { LoadResult, PhaseResult } from './load.js';
import { benchPostgresNodes, runLoadProcess } from './postgres-nodes.js';
import { RssSampler, freePort, peakRssMb, startKassa, stopProcess, tail, waitFor } from './support.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'bench', 'results');
const env = process.env;
const connections = intEnv('BENCH_CONNECTIONS', 64);
const warmupMs = intEnv('BENCH_WARMUP_S', 3) * 1000;
const durationMs = intEnv('BENCH_DURATION_S', 10) * 1000;
const openLoopMs = intEnv('BENCH_OPEN_LOOP_S', 8) * 1000;
const only = new Set((env.BENCH_ONLY ?? 'bare,sqlite,sqlite-workers,postgres,postgres-nodes').split(',').map((s) => s.trim()));
const cpuProf = env.BENCH_CPU_PROF === '1';
/** Development knob: run only the first N lifecycle calls (the figures then are not the benchmark's). */
const openLoopOpsPerSec = env.BENCH_OPEN_LOOP_OPS ? intEnv('BENCH_OPEN_LOOP_OPS', 1) : undefined;
const steps = env.BENCH_LIFECYCLE_STEPS ? intEnv('BENCH_LIFECYCLE_STEPS', 7) : undefined;
const merchant = { username: 'bench', password: 'bench-password-1234' };
const authorization = `Basic ${Buffer.from(`${merchant.username}:${merchant.password}`).toString('base64')}`;

interface TargetResult {
  name: string;
  store?: string;
  settings?: Record<string, string>;
  peakRssMb: number;
  load: LoadResult;
}

function intEnv(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: must be a positive whole number`);
  return n;
}

async function benchBare(): Promise<TargetResult> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'bare-server.ts'), String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let ready = false;
  child.stdout!.on('data', (d: Buffer) => (ready ||= d.toString().includes('listening')));
  try {
    await waitFor(async () => ready, 'bare server', child);
    const sampler = new RssSampler(child.pid!);
    const load = await runLoadProcess(root, { origin: `http://127.0.0.1:${port}`, workload: 'echo', connections, warmupMs, durationMs, serverPid: child.pid });
    const viaPs = sampler.stop();
    return { name: 'bare node:http', peakRssMb: Math.max(peakRssMb(child.pid!), viaPs), load };
  } finally {
    await stopProcess(child);
  }
}

async function benchKassa(name: string, databaseUrl: string, store: string, settings: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<TargetResult> {
  const logDir = mkdtempSync(join(tmpdir(), 'kassa-bench-log-'));
  const logFile = join(logDir, 'kassa.log');
  const nodeArgs = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, `profile-${store}-${Date.now()}`)}`] : [];
  // Exactly how users start it (package.json "start"), in its own process; logs go to a file.
  const kassa = await startKassa(root, { DATABASE_URL: databaseUrl, KASSA_SANDBOX_MERCHANT: `${merchant.username}:${merchant.password}`, ...extraEnv }, logFile, nodeArgs);
  try {
    const pid = kassa.child.pid!;
    const sampler = new RssSampler(pid);
    const load = await runLoadProcess(root, { origin: kassa.origin, workload: 'lifecycle', connections, authorization, warmupMs, durationMs, openLoopFraction: 0.5, openLoopOpsPerSec, openLoopDurationMs: openLoopMs, steps, serverPid: pid });
    const viaPs = sampler.stop();
    const peak = Math.max(peakRssMb(pid), viaPs);
    if (load.phases.some((p) => p.errors > 0)) process.stderr.write(`kassa (${store}) log tail:\n${tail(logFile)}\n`);
    return { name, store, settings, peakRssMb: peak, load };
  } finally {
    await kassa.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

/**
 * Kassa on SQLite as `npm start` runs it; with `workers`, as `KASSA_WORKERS=auto npm start` runs it
 * (one serving process per core, the operator's setting for a machine with cores to spare).
 */
async function benchSqlite(workers?: number): Promise<TargetResult> {
  // The data dir lives where the OS keeps temp files (on this machine the same disk as the checkout).
  const dataDir = mkdtempSync(join(tmpdir(), 'kassa-bench-data-'));
  const name = workers ? `kassa (SQLite, KASSA_WORKERS=auto: ${workers} processes)` : 'kassa (SQLite)';
  try {
    return await benchKassa(name, `sqlite:${join(dataDir, 'kassa.db')}`, workers ? 'sqlite-workers' : 'sqlite', { synchronous: 'FULL', journal_mode: 'WAL', data_dir: dataDir }, workers ? { KASSA_WORKERS: 'auto' } : {});
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchPostgres(url: string): Promise<TargetResult> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const synchronousCommit = (await admin.query('SHOW synchronous_commit')).rows[0].synchronous_commit as string;
  const fsync = (await admin.query('SHOW fsync')).rows[0].fsync as string;
  if (synchronousCommit !== 'on' || fsync !== 'on') process.stderr.write(`warning: PostgreSQL has synchronous_commit=${synchronousCommit}, fsync=${fsync}; the figures are not durable ones\n`);
  const dbName = `kassa_bench_${Date.now().toString(36)}`;
  let targetUrl = url;
  let created = false;
  try {
    await admin.query(`CREATE DATABASE ${dbName}`);
    const u = new URL(url);
    u.pathname = `/${dbName}`;
    targetUrl = u.toString();
    created = true;
  } catch (error) {
    process.stderr.write(`note: cannot create a database for the run (${String(error)}); using ${new URL(url).pathname} as it is\n`);
  }
  try {
    return await benchKassa('kassa (PostgreSQL)', targetUrl, 'postgres', { synchronous_commit: synchronousCommit, fsync });
  } finally {
    if (created) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function describe(r: TargetResult): string[] {
  const lines: string[] = [];
  const unit = r.load.workload === 'echo' ? 'req/s' : 'ops/s';
  for (const p of r.load.phases) {
    const l = p.latencyMs;
    const head = p.kind === 'closed' ? `${fmt(p.opsPerSec)} ${unit}${p.lifecyclesPerSec ? ` (${fmt(p.lifecyclesPerSec)} lifecycles/s)` : ''}` : `${p.name} (${fmt(p.targetOpsPerSec ?? 0)} ${unit} asked, ${fmt(p.opsPerSec)} done)`;
    const cpu = p.serverCpuUsPerOp === undefined ? '' : `, server CPU ${p.serverCpuUsPerOp} µs/op`;
    lines.push(`  ${head}: p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms, errors ${p.errors}${cpu}`);
    for (const e of p.errorSamples) lines.push(`    error: ${e}`);
  }
  lines.push(`  peak RSS ${r.peakRssMb} MB`);
  const settings = Object.entries(r.settings ?? {}).filter(([k]) => k !== 'data_dir');
  if (settings.length) lines.push(`  store: ${settings.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  return lines;
}

async function main(): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  const started = new Date();
  const results: TargetResult[] = [];
  const pgUrl = env.DATABASE_URL && /^postgres(ql)?:\/\//.test(env.DATABASE_URL) ? env.DATABASE_URL : undefined;
  const loadBefore = loadavg()[0]!;
  process.stdout.write(
    `kassa bench: ${connections} connections, ${warmupMs / 1000} s warm-up, ${durationMs / 1000} s measured, ${openLoopMs / 1000} s at half load; ${cpus().length} CPUs, node ${process.version}, load average ${loadBefore.toFixed(1)}\n`,
  );

  const show = (r: TargetResult) => process.stdout.write(`${r.name}\n${describe(r).join('\n')}\n`);
  if (only.has('bare')) show(results[results.push(await benchBare()) - 1]!);
  if (only.has('sqlite')) show(results[results.push(await benchSqlite()) - 1]!);
  if (only.has('sqlite-workers') && availableParallelism() > 1) show(results[results.push(await benchSqlite(availableParallelism())) - 1]!);
  if (only.has('postgres')) {
    if (pgUrl) show(results[results.push(await benchPostgres(pgUrl)) - 1]!);
    else process.stdout.write('kassa (PostgreSQL): skipped (set DATABASE_URL=postgres://… to include it)\n');
  }
  const nodes = intEnv('BENCH_NODES', 3);
  if (only.has('postgres-nodes') && pgUrl) {
    const load = { connections, authorization, warmupMs, durationMs, openLoopFraction: 0.5, openLoopOpsPerSec, openLoopDurationMs: openLoopMs, steps };
    show(results[results.push(await benchPostgresNodes(root, pgUrl, nodes, load, merchant)) - 1]!);
  }

  const bare = results.find((r) => r.name === 'bare node:http')?.load.phases[0];
  const sqlite = results.find((r) => r.store === 'sqlite')?.load.phases[0];
  const ratio = bare && sqlite && bare.opsPerSec > 0 ? sqlite.opsPerSec / bare.opsPerSec : undefined;
  const file = join(resultsDir, `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const errors = results.reduce((n, r) => n + r.load.phases.reduce((m, p) => m + p.errors, 0), 0);
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt: started.toISOString(), machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform, loadAverageBefore: loadBefore, loadAverageAfter: loadavg()[0] }, connections, warmupMs, durationMs, openLoopMs, ratio, results }, null, 2)}\n`,
  );
  process.stdout.write(`full figures: ${file}\n`);
  if (errors > 0) process.stdout.write(`ERRORS: ${errors} failed operations (must be 0)\n`);
  const workers = results.find((r) => r.store === 'sqlite-workers')?.load.phases[0];
  if (bare && workers && bare.opsPerSec > 0) {
    process.stdout.write(`with KASSA_WORKERS=auto: kassa ${workers.opsPerSec} ops/s, ratio ${(workers.opsPerSec / bare.opsPerSec).toFixed(2)}\n`);
  }
  const pgOne = results.find((r) => r.store === 'postgres')?.load.phases[0];
  const pgNodes = results.find((r) => r.store === 'postgres-nodes')?.load.phases[0];
  if (pgOne) process.stdout.write(`postgres 1 node: ${pgOne.opsPerSec} ops/s${sqlite ? `, ratio to sqlite ${(pgOne.opsPerSec / sqlite.opsPerSec).toFixed(2)}` : ''}\n`);
  if (pgNodes) process.stdout.write(`postgres ${nodes} nodes: ${pgNodes.opsPerSec} ops/s\n`);
  if (bare && sqlite && ratio !== undefined) {
    process.stdout.write(`kassa ${sqlite.opsPerSec} ops/s, bare node:http ${bare.opsPerSec} req/s, ratio ${ratio.toFixed(2)}\n`);
  }
  process.exitCode = errors > 0 ? 1 : 0;
}

export type { PhaseResult };

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
