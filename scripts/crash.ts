/**
 * `npm run test:crash [-- --kills 300 --seed 123 --store postgres --nodes 3 --clients 6 --port 46620]`: the
 * crash harness (test/reliability/crash/run-crash.ts) as a long run. `--nodes 3` runs three Kassa
 * processes on one PostgreSQL database and kills one (now and then two) at a time. Environment
 * equivalents: CRASH_KILLS, CRASH_SEED, CRASH_STORE, CRASH_NODES. Prints the seed first so any failure can be replayed; exits 1 on failure.
 */
import { parseArgs } from 'node:util';
import { resolveSeed } from '../test/reliability/support/prng.js';
import { runCrash } from '../test/reliability/crash/run-crash.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string' },
    seed: { type: 'string' },
    store: { type: 'string' },
    nodes: { type: 'string' },
    clients: { type: 'string' },
    port: { type: 'string' },
    'postgres-url': { type: 'string' },
    'keep-dir': { type: 'boolean' },
  },
});

const kills = Number(values.kills ?? process.env.CRASH_KILLS ?? 50);
const seed = resolveSeed(values.seed ?? process.env.CRASH_SEED);
const store = (values.store ?? process.env.CRASH_STORE ?? 'sqlite') as 'sqlite' | 'postgres';
const nodes = Number(values.nodes ?? process.env.CRASH_NODES ?? 1);
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) throw new Error('--nodes must be a whole number from 1 to 16');
if (nodes > 1 && store !== 'postgres') throw new Error('--nodes above 1 needs --store postgres');
// No --port: Kassa and the webhook receiver each take a free port (runs side by side never clash).
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(kills) || kills < 1) throw new Error('--kills must be a positive integer');
if (store !== 'sqlite' && store !== 'postgres') throw new Error('--store must be sqlite or postgres');

console.log(`seed ${seed} (replay with --seed ${seed})`);
const report = await runCrash({
  kills,
  seed,
  store,
  nodes,
  port,
  receiverPort: port ? port + 1 : 0,
  postgresUrl: values['postgres-url'] ?? process.env.KASSA_TEST_DATABASE_URL,
  clients: Number(values.clients ?? 6),
  minRunMs: 150,
  maxRunMs: 1500,
  bootKillRate: 0.05,
  keepDir: values['keep-dir'],
  log: (line) => console.log(line),
});
const { failures, counts, refusals, ...summary } = report;
console.log(JSON.stringify({ ...summary, failures: failures.length }, null, 2));
console.log('responses by operation and status:', JSON.stringify(counts));
console.log('clean refusals seen (first of each):');
for (const [what, text] of Object.entries(refusals)) console.log(`  ${what}: ${text}`);
if (failures.length) {
  console.error(`\nFAILED (seed ${seed}); data and kassa.log kept in ${report.dir}:`);
  for (const f of failures.slice(0, 50)) console.error(`  - ${f}`);
  process.exit(1);
}
console.log(`\nOK: ${report.kills} kills${report.nodes > 1 ? ` of ${report.nodes} nodes (${report.doubleKills} of two at once)` : ''} (+${report.bootKills} while booting), ${report.operations} operations, nothing lost (seed ${seed}, ${Math.round(report.durationMs / 1000)} s)`);
