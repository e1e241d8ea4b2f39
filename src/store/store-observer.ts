/**
 * What the store adapters report about their own work, for GET /metrics: how many commands each
 * transaction carried (SQLite's group commit; one on PostgreSQL) and how long making a commit
 * durable took (SQLite's WAL fdatasync, PostgreSQL's COMMIT round trip with its WAL flush). The
 * adapters call these two functions and know nothing else; src/metrics/ installs the observer.
 * Process-wide, like the metrics registry it feeds: one Kassa per process in production.
 */
export type StoreKind = 'sqlite' | 'postgres';

export interface StoreObserver {
  commitGroup(store: StoreKind, batches: number): void;
  durableSync(store: StoreKind, seconds: number): void;
}

const nobody: StoreObserver = { commitGroup: () => undefined, durableSync: () => undefined };
let observer: StoreObserver = nobody;

export function setStoreObserver(next: StoreObserver | undefined): void {
  observer = next ?? nobody;
}

/** A transaction carrying `batches` commands committed. */
export function observeCommitGroup(store: StoreKind, batches: number): void {
  observer.commitGroup(store, batches);
}

/** A durability wait (WAL sync, COMMIT) took `seconds`. */
export function observeDurableSync(store: StoreKind, seconds: number): void {
  observer.durableSync(store, seconds);
}
