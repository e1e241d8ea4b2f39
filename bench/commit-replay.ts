/**
 * CPU of the SQLite group commit alone: the store batches of one real lifecycle (captured by running
 * it once through Kassa) replayed against a file store as shipped (group commit, WAL synced before
 * acknowledgement), with fresh ids each time, by 64 concurrent loops (C) — as the in-process benchmark
 * drives them, minus HTTP, routing and the domain. Prints the main thread's CPU per lifecycle
 * operation (7 per lifecycle; checkpoints included), then the WAL frames written per operation. For comparing changes to
 * src/store/sqlite in pairs. Usage: `node --import tsx bench/commit-replay.ts` (env N = lifecycles
 * per round, ROUNDS, C = concurrent loops: 64 gives the closed loop's large groups, 4 the small
 * groups of half load, where what a transaction costs whatever its size weighs most).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createKassa, createLogger, ensureSandboxMerchant, logDestination } from '../src/kassa.js';
import type { CommitBatch } from '../src/store/port.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { injectTarget, lifecycleOnce, lifecycleOps } from './workload.js';

const dir = mkdtempSync(join(tmpdir(), 'kassa-commit-replay-'));
const template = await captureLifecycle();
const lifecycles = Number(process.env.N ?? 2000);
const rounds = Number(process.env.ROUNDS ?? 3);
const concurrency = Number(process.env.C ?? 64);

/** The batches one lifecycle commits, as JSON (copied when committed: the store freezes states). */
async function captureLifecycle(): Promise<string> {
  const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'capture.db')}`, KASSA_LOG_LEVEL: 'silent', KASSA_SANDBOX_MERCHANT: 'bench:bench-password-1234' }, process.cwd());
  const kassa = await createKassa(config, { logger: createLogger(config, logDestination(join(dir, 'capture.log'))) });
  await ensureSandboxMerchant(kassa, () => {});
  const store = kassa.deps.engine.store;
  const batches: CommitBatch[] = [];
  const commit = store.commit.bind(store);
  store.commit = (batch) => (batches.push(JSON.parse(JSON.stringify(batch)) as CommitBatch), commit(batch));
  await lifecycleOnce(injectTarget(kassa.app, `Basic ${Buffer.from('bench:bench-password-1234').toString('base64')}`));
  await kassa.close();
  return JSON.stringify(batches);
}

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
let v7ms = Date.now();
/** Fresh ids of the same kind (time-ordered v7 stays time-ordered, so indexes see what they see in use). */
function freshLifecycle(): CommitBatch[] {
  const ids = new Map<string, string>();
  return JSON.parse(
    template.replace(uuid, (id) => {
      let fresh = ids.get(id);
      if (!fresh) {
        const r = randomUUID();
        const t = (v7ms++).toString(16).padStart(12, '0');
        fresh = id[14] === '7' ? `${t.slice(0, 8)}-${t.slice(8)}-7${r.slice(15, 18)}-${r.slice(19)}` : r;
        ids.set(id, fresh);
      }
      return fresh;
    }),
  ) as CommitBatch[];
}

const path = join(dir, 'replay.db');
const store = new SqliteStore({ path });
const accountId = (JSON.parse(template) as CommitBatch[])[0]!.aggregates![0]!.accountId;
await store.createAccount({ id: accountId, username: 'bench', secretHash: 'x', createdAt: 0, clockOffsetMs: 0, isDefault: true });

/** Main-thread CPU (µs) spent committing `count` lifecycles; the batches are built beforehand. */
async function replay(count: number): Promise<number> {
  const todo = Array.from({ length: count }, freshLifecycle);
  let next = 0;
  const before = mainThreadCpuUs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < todo.length) for (const batch of todo[next++]!) await store.commit(batch);
    }),
  );
  return mainThreadCpuUs() - before;
}

await replay(500); // warm-up: JIT, a few thousand rows
const ops = lifecycles * lifecycleOps;
for (let r = 0; r < rounds; r++) console.log(`commit replay: ${Math.round((await replay(lifecycles)) / ops)} µs main-thread CPU per operation`);
// One more round, not timed, for the WAL frames it writes: checkpoint and restart the WAL, then let
// it grow without checkpoints (the timed rounds above have them, as shipped).
store.db.pragma('wal_checkpoint(TRUNCATE)');
store.db.pragma('wal_autocheckpoint = 0');
await replay(lifecycles);
console.log(`  ${((statSync(`${path}-wal`).size - 32) / (4096 + 24) / ops).toFixed(2)} WAL frames of 4 KB per operation`);
await store.close();
rmSync(dir, { recursive: true, force: true });

/** CPU time of this process's main thread (µs), from /proc (as bench/in-process.ts). */
function mainThreadCpuUs(): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 1e4;
}
