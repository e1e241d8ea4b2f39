/**
 * Bytes allocated per lifecycle operation, and by whom: the same in-process setup as
 * bench/in-process.ts (file SQLite store, the shipped logger to a file, the bench lifecycle through
 * `app.inject`), run under V8's sampling heap profiler (node:inspector HeapProfiler). Every
 * sampled allocation is charged to the stage of its stack (bench/stages.ts) and to the function
 * that made it. Garbage is what the scavenger and its helper threads spend their time on, so
 * fewer bytes per operation is fewer microseconds of GC.
 * Usage: `node --import tsx bench/allocations.ts` (env N = lifecycles, TOP = functions listed).
 */
import { Session } from 'node:inspector';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createKassa, createLogger, ensureSandboxMerchant, logDestination } from '../src/kassa.js';
import { stageLabel, stageOfFrames, stages, type StageFrame } from './stages.js';
import { injectTarget, lifecycleOnce, lifecycleOps } from './workload.js';

const lifecycles = Number(process.env.N ?? 2000);
const top = Number(process.env.TOP ?? 30);
const concurrency = 64;
const dir = mkdtempSync(join(tmpdir(), 'kassa-allocations-'));
const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'kassa.db')}`, KASSA_LOG_LEVEL: 'info', KASSA_SANDBOX_MERCHANT: 'bench:bench-password-1234' }, process.cwd());
const kassa = await createKassa(config, { logger: createLogger(config, logDestination(join(dir, 'kassa.log'))) });
await ensureSandboxMerchant(kassa, () => {});
const target = injectTarget(kassa.app, `Basic ${Buffer.from('bench:bench-password-1234').toString('base64')}`);

async function run(count: number): Promise<void> {
  let left = count;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await lifecycleOnce(target);
  }));
}

interface SamplingNode {
  callFrame: StageFrame & { lineNumber: number };
  selfSize: number;
  id: number;
  children: SamplingNode[];
}

await run(500);
const session = new Session();
session.connect();
const post = <T>(method: string, params?: object) =>
  new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
await post('HeapProfiler.enable');
// Every allocation is sampled with probability size/interval, so the totals are unbiased estimates.
// Objects the scavenger already collected are kept in the profile (includeObjectsCollectedBy*).
await post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
await run(lifecycles);
const { profile } = await post<{ profile: { head: SamplingNode } }>('HeapProfiler.stopSampling');
session.disconnect();

const ops = lifecycles * lifecycleOps;
const byStage = new Array<number>(stages.length).fill(0);
const byFunction = new Map<string, number>();
let total = 0;
const walk = (node: SamplingNode, stack: StageFrame[]) => {
  const frames = [node.callFrame, ...stack];
  if (node.selfSize > 0) {
    total += node.selfSize;
    const stage = stageOfFrames(frames.filter((f) => f.functionName !== '(root)'));
    byStage[stage]! += node.selfSize;
    const f = node.callFrame;
    const where = f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/');
    const key = `${stageLabel(stages[stage]?.name ?? '-').padEnd(16)} ${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, frames);
};
walk(profile.head, []);

const perOp = (bytes: number) => `${(bytes / ops / 1024).toFixed(1).padStart(5)} KB`;
console.log(`allocated: ${perOp(total)} per operation (${lifecycles} lifecycles, sampled every 512 bytes)`);
stages.forEach((s, i) => {
  if (byStage[i]! > 0) console.log(`  ${perOp(byStage[i]!)}  ${s.name}`);
});
console.log(`\nthe ${top} functions allocating most (per operation):`);
for (const [key, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${(bytes / ops).toFixed(0).padStart(6)} B  ${key}`);

await kassa.close();
rmSync(dir, { recursive: true, force: true });
