/**
 * `npm start`: serves Kassa. Reads the configuration once (a bad value stops start-up naming it),
 * opens the store, makes sure a sandbox merchant exists, starts the workers, and on SIGTERM/SIGINT
 * finishes in-flight requests and closes the store. With KASSA_WORKERS above 1 this process becomes
 * the primary of a node:cluster (src/cluster-primary.ts) and each worker process runs `serve`.
 */
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { runPrimary } from './cluster-primary.js';
import { createKassa, ensureSandboxMerchant } from './kassa.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, process.cwd());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`kassa: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config);
  return serve(config);
}

/** One serving process: the only one, or one worker of a cluster (which shares the port). */
async function serve(config: Config): Promise<void> {
  const kassa = await createKassa(config);
  // A cluster's primary made sure of the sandbox merchant before forking (one creator, no race).
  if (cluster.isPrimary) await ensureSandboxMerchant(kassa, (line) => process.stdout.write(`${line}\n`));
  kassa.startWorkers();
  const address = await kassa.app.listen({ host: config.host, port: config.port });
  kassa.deps.logger.info({ address, url: config.publicUrl, store: config.store.kind, mode: config.mode, worker: cluster.worker?.id }, 'kassa listening');
  if (config.mode === 'sandbox' && cluster.isPrimary) process.stdout.write(`Kassa is listening on ${config.publicUrl} — demo checkout: ${config.publicUrl}/demo/checkout\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    kassa.deps.logger.info({ signal }, 'shutting down: finishing in-flight requests');
    kassa.close().then(
      () => process.exit(0),
      (error) => {
        kassa.deps.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`kassa: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
