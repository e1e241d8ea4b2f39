/**
 * The several-nodes part of `npm run bench` (called from bench/run.ts when DATABASE_URL is a
 * postgres:// URL): N Kassa processes, each started as users start it (`npm start`, its own port),
 * on one fresh PostgreSQL database, and the same load generator (bench/load.ts, the same
 * connection count) spreading its calls round robin over them, as a load balancer with nothing
 * sticky would. Server CPU per operation is the sum over the N processes. On a 2-core machine the
 * figure cannot scale (see docs/performance.md); it is there so that a bigger machine shows it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { LoadConfig, LoadResult } from './load.js';
import { peakRssMb, startKassa, tail, type KassaProcess } from './support.js';

export interface NodesResult {
  name: string;
  store: string;
  settings: Record<string, string>;
  peakRssMb: number;
  load: LoadResult;
}

/** Runs bench/load.ts in a process of its own and returns its result line. */
export async function runLoadProcess(root: string, config: LoadConfig): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'load.ts'), JSON.stringify(config)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

export async function benchPostgresNodes(
  root: string,
  url: string,
  nodes: number,
  load: Omit<LoadConfig, 'origin' | 'origins' | 'serverPid' | 'serverPids' | 'workload'>,
  merchant: { username: string; password: string },
): Promise<NodesResult> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const dbName = `kassa_bench_nodes_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const target = new URL(url);
  target.pathname = `/${dbName}`;
  const logDir = mkdtempSync(join(tmpdir(), 'kassa-bench-nodes-'));
  const started: KassaProcess[] = [];
  try {
    const env = { DATABASE_URL: target.toString(), KASSA_SANDBOX_MERCHANT: `${merchant.username}:${merchant.password}` };
    // One after another: on a busy machine three cold starts at once can outlast startKassa's 30 s
    // (starting together is the crash harness's job). Each is kept as soon as it is up, so that
    // `finally` stops it even if a later one fails to start.
    const logs = Array.from({ length: nodes }, (_, i) => join(logDir, `kassa-${i + 1}.log`));
    for (const log of logs) started.push(await startKassa(root, env, log));
    const result = await runLoadProcess(root, {
      ...load,
      workload: 'lifecycle',
      origin: started[0]!.origin,
      origins: started.map((k) => k.origin),
      serverPids: started.map((k) => k.child.pid!),
    });
    const peak = started.reduce((sum, k) => sum + Math.max(0, peakRssMb(k.child.pid!)), 0);
    if (result.phases.some((p) => p.errors > 0)) for (const log of logs) process.stderr.write(`${log}:\n${tail(log)}\n`);
    return { name: `kassa (PostgreSQL, ${nodes} nodes)`, store: 'postgres-nodes', settings: { nodes: String(nodes) }, peakRssMb: peak, load: result };
  } finally {
    await Promise.all(started.map((k) => k.stop()));
    rmSync(logDir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}
