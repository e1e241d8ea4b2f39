/**
 * `npm run bench:timers`: the cost of moving a test clock follows what falls due, not what is stored.
 * For 10,000 and 1,000,000 open payment sessions whose deadlines lie a year ahead, plus five rounds
 * of 1,000 sessions whose deadlines lie 1, 3, 5, 7 and 9 hours ahead, it times
 * `POST /sandbox/v1/clock/advance {seconds: 7200}` five times per size (each fires exactly one
 * round's 1,000 expiry timers; the median is reported) against Kassa started as users start it
 * (own process, SQLite, synchronous=FULL): one server per size, the sizes taking turns round by
 * round so both meet the same moments of a busy machine. Reports the server's RSS with a million
 * open objects stored.
 * Prints both times and their ratio; writes bench/results/timers-<time>.json.
 *
 * Seeding: one real session is created through the API and stopped; its stored document and expiry
 * timer are then cloned (new ascending uuid-shaped ids, new deadlines) through the store port in
 * bulk (SqliteStore.commit, 10,000 sessions per commit, synchronous=OFF while seeding only, since
 * seeding is not what is measured); then Kassa is started again on that file for the measurement. The 1,000 due ones use
 * the real `session.expire` handler, so each firing is a full engine command with its own commit.
 * Knobs: BENCH_TIMERS_SIZES (comma list, default 10000,1000000), BENCH_TIMERS_DUE (1000).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionState } from '../src/domain/session/session-state.js';
import type { AggregateWrite, TimerWrite } from '../src/store/port.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { peakRssMb, rssMb, startKassa, tail, type KassaProcess } from './support.js';
import { orderBody } from './workload.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'bench', 'results');
const sizes = (process.env.BENCH_TIMERS_SIZES ?? '10000,1000000').split(',').map((s) => Number(s.trim()));
const dueCount = Number(process.env.BENCH_TIMERS_DUE ?? 1000);
const merchant = { username: 'bench', password: 'bench-password-1234' };
const authorization = `Basic ${Buffer.from(`${merchant.username}:${merchant.password}`).toString('base64')}`;
const hourMs = 3600_000;
const chunk = 10_000;
const rounds = 5;

interface Case {
  open: number;
  due: number;
  seedSeconds: number;
  advanceSeconds: number;
  advanceRoundsSeconds: number[];
  timersFired: number;
  timersLeft: number;
  rssAfterStartMb: number;
  rssAfterAdvanceMb: number;
  peakRssMb: number;
}

async function api(origin: string, method: string, path: string, body?: string): Promise<any> {
  const res = await fetch(`${origin}${path}`, { method, headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) }, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function seed(dbPath: string, accountId: string, templateId: string, open: number, due: number): Promise<number> {
  const started = performance.now();
  const store = new SqliteStore({ path: dbPath, synchronous: 'OFF' });
  const template = await store.getAggregate<SessionState>(accountId, 'session', templateId);
  if (!template) throw new Error('template session not found');
  const now = template.state.internal.createdAtMs;
  // Ids are uuid-shaped but ascending (a random prefix per run, then a counter): inserting a million
  // rows at ascending keys takes a fraction of the time random uuids take, and what is measured
  // does not depend on them (the due query walks (account_id, due_at); each firing reads by id).
  const prefix = randomUUID().slice(0, 18);
  let seq = 0;
  const make = (dueAt: number): { aggregate: AggregateWrite; timer: TimerWrite } => {
    const counter = (seq++).toString(16).padStart(15, '0');
    const id = `${prefix}-8${counter.slice(0, 3)}-${counter.slice(3)}`;
    const state: SessionState = { ...template.state, session_id: id, expires_at: new Date(dueAt).toISOString(), internal: { ...template.state.internal, expiresAtMs: dueAt } };
    return {
      aggregate: { accountId, type: 'session', id, expectedVersion: 0, state, now },
      timer: { id: `session:${id}:expire`, accountId, dueAt, kind: 'session.expire', aggregateType: 'session', aggregateId: id, payload: {} },
    };
  };
  const dueTotal = due * rounds;
  const total = open + dueTotal;
  for (let done = 0; done < total; done += chunk) {
    const rows = Array.from({ length: Math.min(chunk, total - done) }, (_, i) => {
      const n = done + i;
      if (n >= dueTotal) return make(now + 365 * 24 * hourMs + n); // open: a year ahead
      // Round r (0-based) falls due between 1 h + 2r h + 1 min and 17 min later; each advance moves
      // the clock 2 h, so it fires exactly one round even if seeding took minutes of real time.
      const round = Math.floor(n / due);
      return make(now + hourMs + round * 2 * hourMs + 60_000 + (n % due) * 1000);
    });
    await store.commit({ aggregates: rows.map((r) => r.aggregate), timersAdd: rows.map((r) => r.timer) });
  }
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  await store.close();
  return (performance.now() - started) / 1000;
}

interface Prepared {
  open: number;
  dir: string;
  dbPath: string;
  logFile: string;
  env: Record<string, string>;
  accountId: string;
  seedSeconds: number;
}

/** A data folder with `open` far sessions and `rounds` × `dueCount` due ones, Kassa stopped. */
async function prepare(open: number): Promise<Prepared> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-timers-'));
  const dbPath = join(dir, 'kassa.db');
  const logFile = join(dir, 'kassa.log');
  const env = { DATABASE_URL: `sqlite:${dbPath}`, KASSA_SANDBOX_MERCHANT: `${merchant.username}:${merchant.password}` };
  const kassa = await startKassa(root, env, logFile);
  const { account_id: accountId } = await api(kassa.origin, 'GET', '/sandbox/v1/account');
  const { session_id: templateId } = await api(kassa.origin, 'POST', '/payments/v1/sessions', orderBody);
  await kassa.stop();
  process.stdout.write(`  seeding ${open.toLocaleString('en-US')} open sessions and ${rounds} × ${dueCount} due ones… `);
  const seedSeconds = await seed(dbPath, accountId, templateId, open, dueCount);
  process.stdout.write(`${seedSeconds.toFixed(1)} s\n`);
  return { open, dir, dbPath, logFile, env, accountId, seedSeconds };
}

/**
 * Starts one Kassa per data folder and advances their clocks in turn, round by round, so every
 * size meets the same moments of the machine (other work on it moves fsync times a lot).
 */
async function measure(prepared: Prepared[]): Promise<Case[]> {
  const servers: KassaProcess[] = [];
  try {
    for (const p of prepared) servers.push(await startKassa(root, p.env, p.logFile));
    const rssAfterStart = servers.map((k) => rssMb(k.child.pid!));
    const times: number[][] = prepared.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < prepared.length; i++) {
        const started = performance.now();
        const advanced = await api(servers[i]!.origin, 'POST', '/sandbox/v1/clock/advance', JSON.stringify({ seconds: 7200 }));
        times[i]!.push(round((performance.now() - started) / 1000));
        if (advanced.timers_fired !== dueCount) throw new Error(`${prepared[i]!.open} open, round ${r + 1}: expected ${dueCount} timers to fire, ${advanced.timers_fired} did`);
      }
    }
    const cases: Case[] = prepared.map((p, i) => ({
      open: p.open,
      due: dueCount,
      seedSeconds: round(p.seedSeconds),
      advanceSeconds: [...times[i]!].sort((a, b) => a - b)[Math.floor(rounds / 2)]!,
      advanceRoundsSeconds: times[i]!,
      timersFired: dueCount * rounds,
      timersLeft: -1,
      rssAfterStartMb: rssAfterStart[i]!,
      rssAfterAdvanceMb: rssMb(servers[i]!.child.pid!),
      peakRssMb: peakRssMb(servers[i]!.child.pid!),
    }));
    for (const k of servers.splice(0)) await k.stop();
    for (let i = 0; i < prepared.length; i++) {
      const check = new SqliteStore({ path: prepared[i]!.dbPath });
      cases[i]!.timersLeft = await check.countTimers(prepared[i]!.accountId);
      await check.close();
      if (cases[i]!.timersLeft !== prepared[i]!.open + 1) throw new Error(`expected ${prepared[i]!.open + 1} timers left (the open ones and the template's), found ${cases[i]!.timersLeft}`);
    }
    return cases;
  } catch (error) {
    for (const p of prepared) process.stderr.write(`kassa log tail (${p.open} open):\n${tail(p.logFile)}\n`);
    throw error;
  } finally {
    for (const k of servers) await k.stop();
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

async function main(): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  const startedAt = new Date();
  process.stdout.write(`kassa bench:timers — advance the test clock past ${dueCount} due deadlines among N open sessions (deadlines a year ahead), ${rounds} rounds, sizes taking turns\n`);
  const prepared: Prepared[] = [];
  try {
    for (const open of sizes) prepared.push(await prepare(open));
    const cases = await measure(prepared);
    for (const c of cases) {
      process.stdout.write(
        `  ${c.open.toLocaleString('en-US')} open: advance past ${dueCount} due ${c.advanceSeconds.toFixed(3)} s (median of ${c.advanceRoundsSeconds.join(', ')}; ${c.timersFired} fired, ${c.timersLeft.toLocaleString('en-US')} timers left); server RSS ${c.rssAfterStartMb} MB after start, ${c.rssAfterAdvanceMb} MB after advance, peak ${c.peakRssMb} MB\n`,
      );
    }
    report(startedAt, cases);
  } finally {
    for (const p of prepared) rmSync(p.dir, { recursive: true, force: true });
  }
}

function report(startedAt: Date, cases: Case[]): void {
  const first = cases[0]!;
  const last = cases[cases.length - 1]!;
  const ratio = last.advanceSeconds / first.advanceSeconds;
  const file = join(resultsDir, `timers-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), node: process.version, dueCount, cases, ratio: round(ratio) }, null, 2)}\n`);
  process.stdout.write(`full figures: ${file}\n`);
  const rssOk = last.peakRssMb < 300;
  process.stdout.write(`peak server RSS with ${last.open.toLocaleString('en-US')} open objects: ${last.peakRssMb} MB (${rssOk ? 'under' : 'OVER'} 300 MB)\n`);
  process.stdout.write(
    `advance past ${dueCount} due: ${first.open.toLocaleString('en-US')} open ${first.advanceSeconds.toFixed(3)} s, ${last.open.toLocaleString('en-US')} open ${last.advanceSeconds.toFixed(3)} s, ratio ${ratio.toFixed(2)}\n`,
  );
  if (!rssOk) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`bench:timers: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
