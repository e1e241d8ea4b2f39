/**
 * The primary of a Kassa cluster (KASSA_WORKERS > 1): one process per core serving the same port
 * and the same store, for an operator who wants every core of the machine. The primary prepares
 * the store (migrations, the sandbox merchant) before any worker starts, so there is one creator
 * and no race; then it forks the workers and only supervises: it serves no requests itself.
 *
 * Workers share nothing in memory, exactly like several Kassa nodes on one PostgreSQL
 * (docs/architecture.md): every decision is taken on stored state with optimistic versions, timers
 * and outbox rows are claimed in the store, and on SQLite the write lock is taken without blocking
 * a worker's event loop (SqliteStore's group commit). A worker that dies is replaced; SIGTERM or
 * SIGINT is passed to every worker, which finishes its in-flight requests, and the primary exits
 * when they have.
 */
import cluster from 'node:cluster';
import type { Config } from './config/config.js';
import { createKassa, ensureSandboxMerchant } from './kassa.js';

/** Replacements allowed within `crashWindowMs` before the primary gives up (a crash loop). */
const crashesMax = 5;
const crashWindowMs = 60_000;

export async function runPrimary(config: Config): Promise<void> {
  const setup = await createKassa(config);
  const logger = setup.deps.logger;
  await ensureSandboxMerchant(setup, (line) => process.stdout.write(`${line}\n`));
  await setup.close();

  let stopping = false;
  let announced = false;
  const crashes: number[] = [];

  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    logger.info({ workers: config.workers, port: address.port }, 'kassa cluster serving');
    if (config.mode === 'sandbox') process.stdout.write(`Kassa is listening on ${config.publicUrl} with ${config.workers} workers — demo checkout: ${config.publicUrl}/demo/checkout\n`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && crashes[0]! < now - crashWindowMs) crashes.shift();
    if (crashes.length > crashesMax) {
      logger.fatal({ worker: worker.id, code, signal }, `workers keep dying (${crashes.length} in ${crashWindowMs / 1000} s): stopping`);
      process.exit(1);
    }
    logger.error({ worker: worker.id, code, signal }, 'worker died: starting a replacement');
    cluster.fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: every worker finishes its in-flight requests');
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  for (let i = 0; i < config.workers; i++) cluster.fork();
}
