/**
 * Kassa's operational metrics (prom-client), served in Prometheus' text format by GET /metrics
 * (src/http/routes/metrics.ts) and summed up for the dashboard's home (dashboard-summary.ts).
 *
 * One registry per process, as Prometheus scrapes a process: every Kassa instance of the process
 * (one in production; several in a test file) reports into it. Figures that live in the store —
 * timers due, the outbox backlog, failed deliveries — are counted when scraped, over every store
 * registered with `watchStore` (createKassa does), through one `countBacklog` query per store.
 * Everything else is observed where it happens: the HTTP app (requests), the store adapters
 * (commit groups, syncs: through src/store/store-observer.ts), the timer runner and the outbox
 * dispatcher. Label values are bounded: route patterns, not paths; status codes; store kinds.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { systemClock, type Clock } from '../app/ports.js';
import type { BacklogCounts, Store } from '../store/port.js';
import { setStoreObserver } from '../store/store-observer.js';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'kassa_' });

/** Seconds; from a fast read (1 ms) to a slow webhook receiver (10 s, the delivery timeout). */
const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequestDuration = new Histogram({
  name: 'kassa_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern and status code, with their latency (until the response was sent)',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: latencyBuckets,
  registers: [registry],
});

export const commitGroupSize = new Histogram({
  name: 'kassa_store_commit_group_size',
  help: 'Commands carried by one store transaction (SQLite group commit; 1 on PostgreSQL)',
  labelNames: ['store'] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000],
  registers: [registry],
});

export const storeSyncDuration = new Histogram({
  name: 'kassa_store_sync_duration_seconds',
  help: "Time to make commits durable: SQLite's WAL fdatasync, PostgreSQL's COMMIT (WAL flush)",
  labelNames: ['store'] as const,
  buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers: [registry],
});

export const timersFired = new Counter({
  name: 'kassa_timers_fired_total',
  help: 'Durable timers fired, by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const timerFiringLag = new Histogram({
  name: 'kassa_timer_firing_lag_seconds',
  help: 'Time from a timer falling due to its firing, on accounts whose test clock was never moved (a clock advance makes lag meaningless)',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'kassa_outbox_delivery_attempts_total',
  help: 'Outbox delivery attempts (webhooks, notification callbacks) by outcome: delivered, retry (will be tried again), failed (retry window closed)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookDeliveryDuration = new Histogram({
  name: 'kassa_outbox_delivery_duration_seconds',
  help: 'Latency of outbox delivery attempts (until the receiver answered or the attempt failed)',
  buckets: latencyBuckets,
  registers: [registry],
});

export const requestLogDropped = new Counter({
  name: 'kassa_request_log_dropped_total',
  help: 'Requests-log entries dropped because the in-memory buffer was full (the store kept refusing writes)',
  registers: [registry],
});

export const requestLogWriteFailures = new Counter({
  name: 'kassa_request_log_write_failures_total',
  help: 'Requests-log batch writes the store refused (kept and retried)',
  registers: [registry],
});

setStoreObserver({
  commitGroup: (store, batches) => commitGroupSize.observe({ store }, batches),
  durableSync: (store, seconds) => storeSyncDuration.observe({ store }, seconds),
});

// --- Figures counted in the store when scraped ---------------------------------------------------

interface WatchedStore {
  store: Store;
  clock: Clock;
}

const watched = new Set<WatchedStore>();
/** A scrape collects three gauges at once; they share the count in flight (one query set per store). */
let backlogInFlight: Promise<BacklogCounts> | undefined;

/** Counts this store's backlog in the metrics until the returned function is called (on close). */
export function watchStore(store: Store, clock: Clock): () => void {
  const entry = { store, clock };
  watched.add(entry);
  return () => {
    watched.delete(entry);
  };
}

/** Timers due, pending and failed deliveries over every watched store (a store that fails counts 0). */
export function backlog(): Promise<BacklogCounts> {
  if (backlogInFlight) return backlogInFlight;
  const counts = Promise.all([...watched].map(({ store, clock }) => store.countBacklog(clock.now()).catch(() => ({ timersDue: 0, outboxPending: 0, outboxFailed: 0 })))).then((all) =>
    all.reduce((sum, c) => ({ timersDue: sum.timersDue + c.timersDue, outboxPending: sum.outboxPending + c.outboxPending, outboxFailed: sum.outboxFailed + c.outboxFailed }), {
      timersDue: 0,
      outboxPending: 0,
      outboxFailed: 0,
    }),
  );
  backlogInFlight = counts.finally(() => (backlogInFlight = undefined));
  return backlogInFlight;
}

export const timersDue = new Gauge({
  name: 'kassa_timers_due',
  help: "Timers due now on their account's clock and not yet fired",
  registers: [registry],
  async collect() {
    this.set((await backlog()).timersDue);
  },
});

export const outboxBacklog = new Gauge({
  name: 'kassa_outbox_backlog',
  help: 'Outbox rows (webhooks, notification callbacks) not yet delivered and still being tried',
  registers: [registry],
  async collect() {
    this.set((await backlog()).outboxPending);
  },
});

export const outboxFailed = new Gauge({
  name: 'kassa_outbox_failed',
  help: 'Outbox rows whose retry window closed without a successful delivery (replayable)',
  registers: [registry],
  async collect() {
    this.set((await backlog()).outboxFailed);
  },
});

// --- Requests in the last minute, for the dashboard ----------------------------------------------

/**
 * The last 60 seconds of requests: one slot per second, each with a count per latency bucket (the
 * histogram's buckets). Cheap on every request (a few comparisons and an increment); the dashboard
 * reads the count and a p99 interpolated within its bucket, as Prometheus' histogram_quantile does.
 */
const secondsKept = 60;
const slotSecond = new Array<number>(secondsKept).fill(-1);
const slotBuckets = Array.from({ length: secondsKept }, () => new Array<number>(latencyBuckets.length + 1).fill(0));

/** Records one answered request (called by the HTTP app's onResponse hook). */
export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  httpRequestDuration.observe({ method, route, status: String(status) }, seconds);
  const second = Math.floor(systemClock.now() / 1000);
  const i = second % secondsKept;
  const buckets = slotBuckets[i]!;
  if (slotSecond[i] !== second) {
    slotSecond[i] = second;
    buckets.fill(0);
  }
  let b = 0;
  while (b < latencyBuckets.length && seconds > latencyBuckets[b]!) b++;
  buckets[b]!++;
}

/** Requests answered in the last 60 seconds, and the latency under which 99 % of them were answered. */
export function recentRequests(): { count: number; p99Seconds: number | undefined } {
  const second = Math.floor(systemClock.now() / 1000);
  const totals = new Array<number>(latencyBuckets.length + 1).fill(0);
  for (let i = 0; i < secondsKept; i++) {
    if (slotSecond[i]! <= second - secondsKept) continue;
    for (let b = 0; b < totals.length; b++) totals[b]! += slotBuckets[i]![b]!;
  }
  const count = totals.reduce((sum, n) => sum + n, 0);
  return { count, p99Seconds: bucketQuantile(latencyBuckets, totals, 0.99) };
}

/**
 * The q-quantile of observations counted per bucket (`counts[i]` at or below `bounds[i]`, the
 * last beyond every bound), interpolated linearly within its bucket as Prometheus'
 * histogram_quantile does; the last bound when it falls beyond them. Undefined with no observation.
 */
export function bucketQuantile(bounds: readonly number[], counts: readonly number[], q: number): number | undefined {
  const count = counts.reduce((sum, n) => sum + n, 0);
  if (count === 0) return undefined;
  const rank = q * count;
  let seen = 0;
  for (let b = 0; b < bounds.length; b++) {
    if (counts[b]! > 0 && seen + counts[b]! >= rank) {
      const lower = b === 0 ? 0 : bounds[b - 1]!;
      return lower + (bounds[b]! - lower) * ((rank - seen) / counts[b]!);
    }
    seen += counts[b]!;
  }
  return bounds.at(-1);
}

/** A timer fired; its lag is known only on an account whose clock is the system's (offset 0). */
export function observeTimerFired(kind: string, lagMs: number | undefined): void {
  timersFired.inc({ kind });
  if (lagMs !== undefined) timerFiringLag.observe(Math.max(0, lagMs) / 1000);
}

export function observeDelivery(outcome: 'delivered' | 'retry' | 'failed', latencyMs: number): void {
  webhookDeliveries.inc({ outcome });
  webhookDeliveryDuration.observe(latencyMs / 1000);
}
