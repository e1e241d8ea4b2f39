/**
 * `npm run test:fuzz [-- --requests 100000 --seed 123]`: the hostile-input fuzzer
 * (test/reliability/fuzz/run-fuzz.ts) as a long run. Environment equivalents: FUZZ_REQUESTS,
 * FUZZ_SEED. Prints the seed first so a failure can be replayed; exits 1 on failure.
 */
import { parseArgs } from 'node:util';
import { runFuzz } from '../test/reliability/fuzz/run-fuzz.js';
import { resolveSeed } from '../test/reliability/support/prng.js';

const { values } = parseArgs({ options: { requests: { type: 'string' }, seed: { type: 'string' }, store: { type: 'string' }, 'nasties-only': { type: 'boolean' }, 'max-failures': { type: 'string' } } });
const requests = Number(values.requests ?? process.env.FUZZ_REQUESTS ?? 10_000);
const seed = resolveSeed(values.seed ?? process.env.FUZZ_SEED);
if (!Number.isInteger(requests) || requests < 1) throw new Error('--requests must be a positive integer');

console.log(`seed ${seed} (replay with --seed ${seed}), ${requests} requests`);
const store = (values.store ?? process.env.FUZZ_STORE ?? 'sqlite') as 'sqlite' | 'postgres';
const report = await runFuzz({ requests, seed, store, nastiesOnly: values['nasties-only'], maxFailures: Number(values['max-failures'] ?? 50), log: (l) => console.log(l) });
const { failures, byOperation, ...summary } = report;
console.log(JSON.stringify({ ...summary, failures: failures.length }, null, 2));
console.log('per operation (sent / accepted):');
for (const [op, n] of Object.entries(byOperation).sort()) console.log(`  ${op.padEnd(72)} ${String(n.sent).padStart(6)} / ${n.accepted}`);
if (failures.length) {
  console.error(`\nFAILED (seed ${seed}):`);
  for (const f of failures) console.error(`  - #${f.index} [${f.origin}] ${f.method} ${f.url} -> ${f.status}: ${f.problem}\n      response: ${f.response.slice(0, 300)}\n      payload: ${f.payload.slice(0, 200)}`);
  process.exit(1);
}
console.log(`\nOK: ${report.requests} hostile requests over ${report.operations} operations, ${report.rejected} rejected cleanly, 0 server errors, 0 state changes from rejections (seed ${seed}, ${Math.round(report.durationMs / 1000)} s)`);
