/**
 * CI version of the several-nodes crash run (`npm run test:crash -- --store postgres --nodes 3`
 * runs the long one): three Kassa processes on one PostgreSQL database, load spread over all three,
 * a few SIGKILLs of one node (now and then two at once) while the others keep serving, and every
 * check of crash/run-crash.ts — including that the survivors fire due timers and deliver pending
 * outbox rows without waiting for the dead node. Skipped outside CI when PostgreSQL is unreachable.
 * CRASH_SEED replays a run.
 */
import { describe, expect, it } from 'vitest';
import { postgresAvailable, testDatabaseUrl } from '../support/postgres.js';
import { runCrash } from './crash/run-crash.js';
import { resolveSeed } from './support/prng.js';

describe.skipIf(!(await postgresAvailable()))('crash: three nodes on PostgreSQL', () => {
  it('loses nothing when nodes are SIGKILLed under load while the others keep serving', async () => {
    const seed = resolveSeed(process.env.CRASH_SEED);
    const kills = Number(process.env.CRASH_NODES_CI_KILLS ?? 4);
    const report = await runCrash({
      kills,
      seed,
      store: 'postgres',
      postgresUrl: testDatabaseUrl,
      nodes: 3,
      doubleKillRate: 0.34,
      clients: 4,
      minRunMs: 500,
      maxRunMs: 1500,
      bootKillRate: 0.1,
      log: () => undefined,
    });
    const summary = `seed ${seed} (replay: CRASH_SEED=${seed}): ${report.kills} kills (${report.doubleKills} double), ${report.operations} ops, ${report.inDoubtResolved} in doubt, ${report.timersDueWhileDown} timers due, ${report.outboxRowsCarriedOver} outbox rows carried over (${report.expiredLeasesTakenOver} after a lease ran out)`;
    console.log(`crash harness, 3 nodes: ${summary}`);
    expect(report.failures, summary).toEqual([]);
    expect(report.kills).toBe(kills);
    // Some work between kills, even on a machine too busy for much (a kill's in-doubt checks need it).
    expect(report.operations).toBeGreaterThan(20);
  }, 600_000);
});
