/**
 * Housekeeping that no request triggers: idempotency records are kept `limits.idempotencyTtlMs`
 * (48 h, more than Klarna's 24 h) and then purged. Records carry account-clock times, which are
 * never behind system time, so comparing with system time can only keep a record longer.
 */
import type { Logger } from 'pino';
import { limits } from '../domain/limits.js';
import type { Store } from '../store/port.js';
import type { Clock } from './ports.js';

export async function purgeExpiredIdempotency(store: Store, clock: Clock): Promise<number> {
  return store.purgeIdempotency(clock.now() - limits.idempotencyTtlMs);
}

export function startMaintenance(store: Store, clock: Clock, logger: Logger, intervalMs = 3600_000): () => void {
  const run = () =>
    purgeExpiredIdempotency(store, clock).then(
      (purged) => purged > 0 && logger.info({ purged }, 'purged expired idempotency records'),
      (error) => logger.error({ err: error }, 'idempotency purge failed'),
    );
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
