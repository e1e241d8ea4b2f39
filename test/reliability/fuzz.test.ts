/**
 * CI version of the hostile-input fuzzer (`npm run test:fuzz -- --requests 100000` is the long
 * run): a few thousand schema-generated and hand-written hostile requests against every operation
 * on SQLite, and the hand-written nasties on PostgreSQL. FUZZ_SEED replays a run; the seed is
 * printed either way.
 */
import { expect, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { runFuzz, type FuzzReport } from './fuzz/run-fuzz.js';
import { resolveSeed } from './support/prng.js';

function describeFailures(report: FuzzReport): string[] {
  return report.failures.map((f) => `#${f.index} [${f.origin}] ${f.method} ${f.url} -> ${f.status}: ${f.problem} | ${f.response.slice(0, 200)}`);
}

const seed = resolveSeed(process.env.FUZZ_SEED);

it('survives a few thousand hostile requests on SQLite: no 5xx, clean rejections that change nothing', async () => {
  const report = await runFuzz({ requests: Number(process.env.FUZZ_CI_REQUESTS ?? 3000), seed });
  console.log(`fuzz (sqlite) seed ${seed} (replay: FUZZ_SEED=${seed}): ${report.requests} requests, ${report.rejected} rejected, statuses ${JSON.stringify(report.byStatus)}`);
  expect(describeFailures(report), `seed ${seed}`).toEqual([]);
  expect(report.requests).toBeGreaterThan(2500);
  expect(report.accepted).toBeGreaterThan(100); // it also reaches the business logic, not only validation
}, 300_000);

it('survives the hand-written nasties on PostgreSQL', async () => {
  if (!(await postgresAvailable())) return;
  const report = await runFuzz({ requests: 300, seed, store: 'postgres', nastiesOnly: true });
  console.log(`fuzz (postgres) seed ${seed}: ${report.requests} requests, statuses ${JSON.stringify(report.byStatus)}`);
  expect(describeFailures(report), `seed ${seed}`).toEqual([]);
}, 300_000);
