/**
 * CI version of the crash harness (`npm run test:crash` runs the long one): 10 SIGKILLs of a Kassa
 * process under a mixed load, each followed by a restart on the same data and the full set of
 * checks in crash/run-crash.ts. CRASH_SEED replays a run; the seed is printed either way.
 */
import { expect, it } from 'vitest';
import { runCrash } from './crash/run-crash.js';
import { resolveSeed } from './support/prng.js';

it('loses nothing across 10 kill -9s under load', async () => {
  const seed = resolveSeed(process.env.CRASH_SEED);
  const report = await runCrash({
    kills: Number(process.env.CRASH_CI_KILLS ?? 10),
    seed,
    store: 'sqlite',
    clients: 4,
    minRunMs: 100,
    maxRunMs: 700,
    bootKillRate: 0.1,
    log: () => undefined,
  });
  const summary = `seed ${seed} (replay: CRASH_SEED=${seed}): ${report.kills} kills, ${report.operations} ops, ${report.inDoubtResolved} in doubt, ${report.timersDueWhileDown} timers due while down, ${report.outboxRowsCarriedOver} outbox rows carried over`;
  console.log(`crash harness ${summary}`);
  expect(report.failures, summary).toEqual([]);
  expect(report.kills).toBe(Number(process.env.CRASH_CI_KILLS ?? 10));
  expect(report.operations).toBeGreaterThan(50);
}, 600_000);
