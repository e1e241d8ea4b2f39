/**
 * SQLite adapter (better-sqlite3, WAL). `synchronous=FULL` by default: a commit is on disk before
 * its promise resolves, so an acknowledged write survives a kill -9 or a power cut.
 * better-sqlite3 is synchronous; each port call runs to completion without interleaving.
 *
 * Group commit: `commit(batch)` queues the batch; the commits that arrive together (everything
 * queued before the event loop's next check phase, see docs/performance.md) are applied in ONE
 * `BEGIN IMMEDIATE … COMMIT`, so they share one fsync. A batch that fails (version conflict,
 * duplicate key) rejects only its own promise; the others go on. For that, a group is first written
 * without savepoints (a savepoint costs a copy of every page it touches, about a fifth of the
 * group's work); if any batch of it fails, the whole transaction is rolled back and the group is
 * written again with each batch inside its own SAVEPOINT, the failing one rolled back to it. Every
 * promise settles only after the COMMIT returned, so nothing is acknowledged before it is durable,
 * and a failed COMMIT rejects them all (nothing was written). Each function holds one prepared
 * statement.
 *
 * Durability without blocking the event loop: with `synchronous: 'FULL'` (the default) SQLite runs
 * with `PRAGMA synchronous=NORMAL` — a COMMIT writes its WAL frames but does not wait for the disk —
 * and this adapter then `fdatasync`s the WAL file itself, on libuv's thread pool, once for every
 * group of commits. A commit's promise resolves only after a sync that began after its COMMIT has
 * finished: what SQLite's FULL does (a WAL sync after each commit, see
 * https://sqlite.org/pragma.html#pragma_synchronous), but the event loop keeps serving requests
 * while the disk works. Checkpoints keep NORMAL's own syncs. Readers could see a commit before its
 * sync ends, so `durableBarrier()` lets the HTTP layer hold every answer until what this process
 * committed before it is on disk. (With several worker processes, an answer can show another
 * worker's commit up to one sync before that worker acknowledges it.)
 *
 * Locks: with `exclusive` (the only Kassa process on the file) a group commit takes the file's
 * exclusive lock without waiting and keeps it until the process is idle (exclusive-lock.ts); while
 * it is held, transactions take no `-shm` locks and cached reads skip the `data_version` check.
 */
import Database from 'better-sqlite3';
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { limits } from '../../domain/limits.js';
import { readMigrations } from '../migrations.js';
import { observeCommitGroup, observeDurableSync } from '../store-observer.js';
import { ExclusiveLock } from './exclusive-lock.js';
import { deepFreeze, freezeAsJson, ReadCache } from './read-cache.js';
import { toAccount, toAggregate, toAttempt, toEvent, toIdempotency, toOutbox, toRequestLog, toTimer } from '../rows.js';
import {
  ConcurrencyConflict,
  DuplicateKey,
  type AccountRecord,
  type AggregateRecord,
  type CommitBatch,
  type DeliveryAttempt,
  type EventRecord,
  type GroupCommitStats,
  type IdempotencyRecord,
  type BacklogCounts,
  type RequestLogRecord,
  type RequestLogWrite,
  type ListPage,
  type OutboxListPage,
  type LookupKey,
  type OutboxRecord,
  type OutboxStatus,
  type Store,
  type TimerRecord,
} from '../port.js';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface SqliteOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /**
   * FULL (default): every commit is on disk before its promise resolves (WAL synced by this adapter,
   * off the event loop). NORMAL and OFF are SQLite's own, for seeding tools: commits are not synced.
   */
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
  /** How long to wait for another process's write lock before SQLITE_BUSY (default 5 s). */
  busyTimeoutMs?: number;
  /** The WAL sync (node:fs fdatasync); tests pass one they can hold back or fail. */
  fdatasync?: (fd: number, done: (error: Error | null) => void) => void;
  /**
   * Hold the file exclusively while writing, let go when idle (exclusive-lock.ts): for the only
   * Kassa process on the file. Off by default: tools and tests open several connections on one file.
   */
  exclusive?: boolean;
}

type Row = Record<string, unknown>;

/** How long a statement waits for another process's write lock before SQLITE_BUSY, by default. */
const defaultBusyTimeoutMs = 5000;

interface QueuedCommit {
  batch: CommitBatch;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The group-commit counters, and how many WAL syncs ran for how long (wall time on the thread pool; the event loop does not wait). */
export interface SqliteGroupCommitStats extends GroupCommitStats {
  syncs: number;
  syncNs: bigint;
}

/**
 * SQLite's page cache, in KiB. 8 MB keeps what every write walks (the path to each index's newest
 * pages) and all interior pages of a store of some 250,000 objects; other pages come from the
 * operating system's file cache, a `pread` of a few µs. Not larger, because SQLite scans the
 * whole cache's hash table at the end of every write transaction that split a B-tree page
 * (`balance_nonroot` parks a page under the locking page's number, 262,145 with 4 KB pages, and
 * `pcache1TruncateUnsafe` then sweeps every slot): with 64 MB that scan was 4.7 % of the server's
 * CPU at half load, where groups are small and transactions many (docs/performance.md, session 8).
 */
const pageCacheKib = 8192;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly stmts: ReturnType<SqliteStore['prepare']>;
  private queue: QueuedCommit[] = [];
  private flushScheduled = false;
  /** The group at the queue's head failed without savepoints: the next flush gives each batch its own. */
  private savepointEach = false;
  private busyRetries = 0;
  private readonly busyTimeoutMs: number;
  /** The WAL file's path when this adapter syncs it itself (file database, synchronous FULL). */
  private readonly walPath: string | undefined;
  private walFd: number | undefined;
  /** Commits made but not yet covered by a finished sync: settled when the next sync ends. */
  private unsynced: (() => void)[] = [];
  private readonly syncsInFlight = new Set<Promise<void>>();
  private syncFailure: unknown;
  private readonly syncFile: NonNullable<SqliteOptions['fdatasync']>;
  readonly groupCommitStats: SqliteGroupCommitStats = { transactions: 0, batches: 0, largestGroup: 0, syncs: 0, syncNs: 0n };
  /** Parsed aggregates (by account, type, id) and accounts (by id) as last committed; see read-cache.ts. */
  private readonly aggregateCache = new ReadCache<AggregateRecord>(limits.sqliteReadCacheEntriesMax);
  private readonly accountCache = new ReadCache<AccountRecord>(limits.sqliteReadCacheEntriesMax);
  /** `PRAGMA data_version` when the caches were last known exact: it moves when another connection commits. */
  private seenDataVersion: unknown;
  /** Present when this process holds the file while it writes (`SqliteOptions.exclusive`). */
  readonly exclusiveLock: ExclusiveLock | undefined;

  constructor(options: SqliteOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    const synchronous = options.synchronous ?? 'FULL';
    this.syncFile = options.fdatasync ?? fdatasync;
    this.walPath = synchronous === 'FULL' && options.path !== ':memory:' ? `${options.path}-wal` : undefined;
    this.db.pragma(`synchronous = ${this.walPath ? 'NORMAL' : synchronous}`);
    this.busyTimeoutMs = options.busyTimeoutMs ?? defaultBusyTimeoutMs;
    this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`cache_size = -${pageCacheKib}`);
    this.migrateSync();
    this.stmts = this.prepare();
    this.seenDataVersion = this.stmts.dataVersion.get();
    if (options.exclusive && options.path !== ':memory:') {
      this.exclusiveLock = new ExclusiveLock(this.db, () => this.groupCommitStats.transactions, () => this.stmts.dataVersion.get());
    }
  }

  private migrateSync(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    const applied = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    for (const m of readMigrations(migrationsDir)) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(m.version, m.name);
      }).immediate();
    }
  }

  private prepare() {
    const db = this.db;
    return {
      insertAccount: db.prepare('INSERT INTO accounts (id, username, secret_hash, created_at, clock_offset_ms, is_default) VALUES (?, ?, ?, ?, ?, ?)'),
      getAccount: db.prepare('SELECT * FROM accounts WHERE id = ?'),
      getAccountByUsername: db.prepare('SELECT * FROM accounts WHERE username = ?'),
      listAccounts: db.prepare('SELECT * FROM accounts ORDER BY created_at, id'),
      anyDefaultAccount: db.prepare('SELECT 1 FROM accounts WHERE is_default = 1 LIMIT 1'),
      setClockOffset: db.prepare('UPDATE accounts SET clock_offset_ms = ? WHERE id = ? AND clock_offset_ms = ?'),
      getAggregate: db.prepare('SELECT * FROM aggregates WHERE account_id = ? AND type = ? AND id = ?'),
      listAggregates: db.prepare('SELECT * FROM aggregates WHERE account_id = ? AND type = ? AND id > ? ORDER BY id LIMIT ?'),
      insertAggregate: db.prepare('INSERT INTO aggregates (account_id, type, id, version, state, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)'),
      updateAggregate: db.prepare('UPDATE aggregates SET version = version + 1, state = ?, updated_at = ? WHERE account_id = ? AND type = ? AND id = ? AND version = ?'),
      findLookup: db.prepare('SELECT * FROM lookup_keys WHERE kind = ? AND key = ?'),
      insertLookup: db.prepare('INSERT INTO lookup_keys (kind, key, account_id, type, id) VALUES (?, ?, ?, ?, ?)'),
      insertEvent: db.prepare('INSERT INTO events (account_id, aggregate_type, aggregate_id, type, data, occurred_at, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      listEvents: db.prepare('SELECT * FROM events WHERE account_id = ? AND aggregate_type = ? AND aggregate_id = ? ORDER BY seq'),
      insertOutbox: db.prepare(
        'INSERT INTO outbox (id, account_id, kind, event_id, event_type, url, headers, body, next_attempt_at, created_at, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertTimer: db.prepare('INSERT INTO timers (id, account_id, due_at, kind, aggregate_type, aggregate_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      replaceTimer: db.prepare('INSERT OR REPLACE INTO timers (id, account_id, due_at, kind, aggregate_type, aggregate_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      deleteTimer: db.prepare('DELETE FROM timers WHERE id = ?'),
      dueTimers: db.prepare('SELECT * FROM timers WHERE account_id = ? AND due_at <= ? ORDER BY due_at, id LIMIT ?'),
      getTimer: db.prepare('SELECT * FROM timers WHERE id = ?'),
      countTimers: db.prepare('SELECT COUNT(*) AS n FROM timers WHERE account_id = ?'),
      dueOutbox: db.prepare(
        "SELECT * FROM outbox WHERE account_id = ? AND status = 'pending' AND next_attempt_at <= ? AND lease_until <= ? ORDER BY next_attempt_at, created_at LIMIT ?",
      ),
      leaseOutbox: db.prepare('UPDATE outbox SET lease_until = ? WHERE id = ?'),
      getOutbox: db.prepare('SELECT * FROM outbox WHERE id = ?'),
      insertAttempt: db.prepare('INSERT INTO delivery_attempts (outbox_id, attempt, at, status_code, error, latency_ms) VALUES (?, ?, ?, ?, ?, ?)'),
      updateOutboxAfterAttempt: db.prepare('UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, lease_until = 0 WHERE id = ?'),
      listAttempts: db.prepare('SELECT * FROM delivery_attempts WHERE outbox_id = ? ORDER BY attempt'),
      requeueOutbox: db.prepare("UPDATE outbox SET status = 'pending', next_attempt_at = ?, lease_until = 0 WHERE id = ?"),
      getIdempotency: db.prepare('SELECT * FROM idempotency WHERE account_id = ? AND key = ?'),
      insertIdempotency: db.prepare('INSERT INTO idempotency (account_id, key, scope, status_code, headers, body, created_at, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      purgeIdempotency: db.prepare('DELETE FROM idempotency WHERE created_at < ?'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      insertRequestLog: db.prepare(
        'INSERT INTO request_log (id, account_id, at, method, path, route, status_code, duration_ms, correlation_id, idempotency_key, request_body, response_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      // Every entry beyond the newest N of its account; what one append deletes is bounded by what it added.
      pruneRequestLog: db.prepare(
        'DELETE FROM request_log WHERE account_id = ? AND (at, id) <= (SELECT at, id FROM request_log WHERE account_id = ? ORDER BY at DESC, id DESC LIMIT 1 OFFSET ?)',
      ),
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT batch'),
      release: db.prepare('RELEASE batch'),
      rollbackToSavepoint: db.prepare('ROLLBACK TO batch'),
    };
  }

  async migrate(): Promise<void> {
    // Applied in the constructor so the prepared statements can see the tables.
  }

  async close(): Promise<void> {
    this.exclusiveLock?.stop();
    // Commits already queued are still written (their callers are waiting for them).
    while (this.queue.length > 0 && this.db.open) this.flush(true);
    while (this.syncsInFlight.size > 0) await Promise.all(this.syncsInFlight);
    if (this.walFd !== undefined) {
      closeSync(this.walFd);
      this.walFd = undefined;
    }
    if (this.db.open) this.db.close();
  }

  durableBarrier(): Promise<void> | undefined {
    if (this.unsynced.length > 0) return this.durable();
    // Everything committed is covered by the syncs already running: wait for them, start none.
    if (this.syncsInFlight.size > 0) return Promise.all(this.syncsInFlight).then(this.throwIfSyncFailed);
    return undefined;
  }

  /** After waiting for a sync: a failed one fails whoever waited on it (see `startSync`). */
  private readonly throwIfSyncFailed = (): void => {
    if (this.syncFailure) throw this.syncFailure;
  };

  /**
   * Resolves once everything committed before this call is on disk. A sync starts at once unless
   * `limits.walSyncsInFlightMax` are already running (then the commits gather for the next one to
   * start): a commit waits for one sync, not for the one before it to end as well.
   */
  private durable(): Promise<void> {
    if (!this.walPath) return Promise.resolve();
    if (this.syncFailure) return Promise.reject(this.syncFailure);
    const done = new Promise<void>((resolve) => this.unsynced.push(resolve));
    if (this.syncsInFlight.size < limits.walSyncsInFlightMax) this.startSync();
    return done.then(this.throwIfSyncFailed);
  }

  private startSync(): void {
    const covered = this.unsynced;
    this.unsynced = [];
    this.walFd ??= openSync(this.walPath!, 'r');
    const fd = this.walFd;
    const started = process.hrtime.bigint();
    const sync = new Promise<void>((resolve) =>
      this.syncFile(fd, (error) => {
        const elapsedNs = process.hrtime.bigint() - started;
        this.groupCommitStats.syncs++;
        this.groupCommitStats.syncNs += elapsedNs;
        observeDurableSync('sqlite', Number(elapsedNs) / 1e9);
        // The disk refused: what was committed may not be durable, and SQLite cannot tell which
        // pages made it (the reason PostgreSQL stops on an fsync failure). Every waiting and later
        // write fails until the operator restarts Kassa, which recovers from the file.
        if (error) this.syncFailure ??= error;
        this.syncsInFlight.delete(sync);
        for (const settle of covered) settle();
        if (this.unsynced.length > 0 && this.syncsInFlight.size < limits.walSyncsInFlightMax) this.startSync();
        resolve();
      }),
    );
    this.syncsInFlight.add(sync);
  }

  async createAccount(a: AccountRecord): Promise<void> {
    this.insertAccount(a);
    await this.durable();
  }

  async createDefaultAccount(a: AccountRecord): Promise<boolean> {
    // BEGIN IMMEDIATE holds the write lock from the check to the insert: another process's check
    // waits for it (busy_timeout) and then sees this account. Only ever run at startup.
    const created = this.db
      .transaction(() => {
        if (this.stmts.anyDefaultAccount.get() !== undefined) return false;
        this.insertAccount({ ...a, isDefault: true });
        return true;
      })
      .immediate();
    await this.durable();
    return created;
  }

  private insertAccount(a: AccountRecord): void {
    try {
      this.stmts.insertAccount.run(a.id, a.username, a.secretHash, a.createdAt, a.clockOffsetMs, a.isDefault ? 1 : 0);
    } catch (e) {
      if (isUniqueViolation(e)) throw new DuplicateKey('aggregate', `account ${a.username} exists`);
      throw e;
    }
  }

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    this.dropCachesIfChangedElsewhere();
    const cached = this.accountCache.get(id);
    if (cached) return cached;
    const account = toAccount(this.stmts.getAccount.get(id) as Row | undefined);
    if (account) this.accountCache.set(id, Object.freeze(account));
    return account;
  }

  /**
   * Another connection (a worker process, the CLI) committed since the caches were last checked:
   * they may be stale, so they are emptied. The adapter's own commits keep them exact.
   */
  private dropCachesIfChangedElsewhere(): void {
    if (this.exclusiveLock?.held) return; // nobody else can have committed
    const version = this.stmts.dataVersion.get();
    if (version === this.seenDataVersion) return;
    this.seenDataVersion = version;
    this.aggregateCache.clear();
    this.accountCache.clear();
  }

  /** After COMMIT: the cached account follows a clock move this connection committed. */
  private clockMoved(accountId: string, offsetMs: number): void {
    const cached = this.accountCache.get(accountId);
    if (cached) this.accountCache.set(accountId, Object.freeze({ ...cached, clockOffsetMs: offsetMs }));
  }

  async getAccountByUsername(username: string): Promise<AccountRecord | undefined> {
    return toAccount(this.stmts.getAccountByUsername.get(username) as Row | undefined);
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (this.stmts.listAccounts.all() as Row[]).map((r) => toAccount(r)!);
  }

  async setClockOffset(accountId: string, expected: number, next: number): Promise<boolean> {
    const moved = this.stmts.setClockOffset.run(next, accountId, expected).changes === 1;
    if (moved) this.clockMoved(accountId, next);
    else this.accountCache.delete(accountId);
    if (moved) await this.durable();
    return moved;
  }

  /** Served from the read cache when it holds the aggregate; a shared, frozen record either way. */
  async getAggregate<T>(accountId: string, type: string, id: string): Promise<AggregateRecord<T> | undefined> {
    this.dropCachesIfChangedElsewhere();
    const key = aggregateKey(accountId, type, id);
    const cached = this.aggregateCache.get(key);
    if (cached) return cached as AggregateRecord<T>;
    const record = toAggregate<T>(this.stmts.getAggregate.get(accountId, type, id) as Row | undefined);
    if (record) this.aggregateCache.set(key, deepFreeze(record));
    return record;
  }

  async listAggregates<T>(accountId: string, type: string, page: ListPage): Promise<AggregateRecord<T>[]> {
    return (this.stmts.listAggregates.all(accountId, type, page.after ?? '', page.limit) as Row[]).map((r) => toAggregate<T>(r)!);
  }

  async findLookup(kind: string, key: string): Promise<LookupKey | undefined> {
    const r = this.stmts.findLookup.get(kind, key) as Row | undefined;
    return r ? { kind: r.kind as string, key: r.key as string, accountId: r.account_id as string, type: r.type as string, id: r.id as string } : undefined;
  }

  async listEvents(accountId: string, aggregateType: string, aggregateId: string): Promise<EventRecord[]> {
    return (this.stmts.listEvents.all(accountId, aggregateType, aggregateId) as Row[]).map(toEvent);
  }

  commit(batch: CommitBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * setImmediate, not a microtask: every request whose I/O arrived in this turn of the event loop
   * reaches its commit first, so they share the transaction. When another process holds the write
   * lock, the queue waits without blocking the event loop (retrying on the next turns, then every
   * millisecond) and grows meanwhile; after `limits.sqliteBusyRetriesMax` tries it waits blocking,
   * as SQLite's busy timeout does.
   */
  private scheduleFlush(delayMs = 0): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const run = () => {
      this.flushScheduled = false;
      while (this.queue.length > 0) {
        if (!this.flush(this.busyRetries >= limits.sqliteBusyRetriesMax)) {
          this.busyRetries++;
          this.scheduleFlush(this.busyRetries > 2 ? 1 : 0);
          return;
        }
        this.busyRetries = 0;
      }
    };
    if (delayMs > 0) setTimeout(run, delayMs);
    else setImmediate(run);
  }

  /**
   * Writes up to `limits.groupCommitBatchesMax` queued batches in one transaction, then settles them.
   * Returns false, leaving the queue as it was, when another process holds the write lock and
   * `mayBlock` is false.
   */
  private flush(mayBlock = true): boolean {
    if (!this.db.open || this.syncFailure) {
      for (const c of this.queue.splice(0)) c.reject(this.syncFailure ?? new Error('store is closed'));
      return true;
    }
    const s = this.stmts;
    if (!mayBlock && !this.tryBegin()) return false;
    const group = this.queue.length <= limits.groupCommitBatchesMax ? this.queue : this.queue.slice(0, limits.groupCommitBatchesMax);
    this.queue = group === this.queue ? [] : this.queue.slice(group.length);
    const failures: unknown[] = new Array(group.length);
    const savepoints = this.savepointEach && group.length > 1;
    this.savepointEach = false;
    try {
      if (mayBlock) s.begin.run();
      if (savepoints) this.applyEachInSavepoint(group, failures);
      else if (!this.applyAll(group)) {
        // A batch failed and there was no savepoint to roll back to: nothing of the group is kept;
        // it goes back to the head of the queue for a careful retry (at once, by the caller's loop).
        // (An I/O or memory error may have rolled the transaction back already.)
        if (this.db.inTransaction) s.rollback.run();
        this.queue = group.concat(this.queue);
        this.savepointEach = true;
        return true;
      }
      s.commit.run();
    } catch (error) {
      if (this.db.inTransaction) s.rollback.run();
      // Nothing of the group was written; what the cache holds was never changed, but a failure
      // this rare is not worth reasoning about: start afresh.
      this.aggregateCache.clear();
      this.accountCache.clear();
      for (const c of group) c.reject(error);
      return true;
    }
    this.groupCommitStats.transactions++;
    this.groupCommitStats.batches += group.length;
    if (group.length > this.groupCommitStats.largestGroup) this.groupCommitStats.largestGroup = group.length;
    observeCommitGroup('sqlite', group.length);
    // A failed batch wrote nothing and is refused at once; the others are acknowledged when the
    // WAL sync that covers this COMMIT has finished.
    const synced = this.durable();
    for (let i = 0; i < group.length; i++) {
      this.cacheCommitted(group[i]!.batch, failures[i] === undefined);
      if (failures[i] === undefined) synced.then(group[i]!.resolve, group[i]!.reject);
      else group[i]!.reject(failures[i]);
    }
    return true;
  }

  /**
   * The fast way: every batch in order, no savepoints. False when one failed (the transaction then
   * holds part of the group and must be rolled back). A lone batch's failure is its own: it is
   * thrown, and rejects that batch.
   */
  private applyAll(group: QueuedCommit[]): boolean {
    if (group.length === 1) {
      this.applyBatch(group[0]!.batch);
      return true;
    }
    try {
      for (let i = 0; i < group.length; i++) this.applyBatch(group[i]!.batch);
      return true;
    } catch {
      return false;
    }
  }

  /** The careful way: each batch inside its own savepoint; a failing one is rolled back to it and noted. */
  private applyEachInSavepoint(group: QueuedCommit[], failures: unknown[]): void {
    const s = this.stmts;
    for (let i = 0; i < group.length; i++) {
      s.savepoint.run();
      try {
        this.applyBatch(group[i]!.batch);
        s.release.run();
      } catch (error) {
        s.rollbackToSavepoint.run();
        s.release.run();
        failures[i] = error ?? new Error('commit failed');
      }
    }
  }

  /**
   * After COMMIT: the read cache takes the states a batch wrote, so the next command on them reads
   * no row and parses no JSON. A batch that failed wrote nothing; its aggregates are dropped, so the
   * engine's retry reads them from the database.
   */
  private cacheCommitted(batch: CommitBatch, committed: boolean): void {
    for (const a of batch.aggregates ?? []) {
      const key = aggregateKey(a.accountId, a.type, a.id);
      const before = this.aggregateCache.get(key);
      if (!committed || (a.expectedVersion !== 0 && before?.version !== a.expectedVersion)) {
        this.aggregateCache.delete(key);
        continue;
      }
      const createdAt = a.expectedVersion === 0 ? a.now : before!.createdAt;
      this.aggregateCache.set(key, Object.freeze({ accountId: a.accountId, type: a.type, id: a.id, version: a.expectedVersion + 1, state: freezeAsJson(a.state), createdAt, updatedAt: a.now }));
    }
    const m = batch.clockMove;
    if (m) {
      if (committed) this.clockMoved(m.accountId, m.newOffsetMs);
      else this.accountCache.delete(m.accountId);
    }
  }

  /**
   * BEGIN IMMEDIATE without waiting: false when another connection holds the write lock. With
   * `SqliteOptions.exclusive` it first tries to take the file's exclusive lock (exclusive-lock.ts);
   * once held, nobody else can hold any lock and BEGIN cannot find one.
   */
  private tryBegin(): boolean {
    const lock = this.exclusiveLock;
    if (lock?.held) {
      this.stmts.begin.run();
      return true;
    }
    this.setBusyTimeout(0);
    try {
      if (lock?.tryTake(() => this.beginOrBusy())) {
        // Commits of others before the lock was taken are the last the caches can miss.
        this.dropCachesIfChangedElsewhere();
        lock.taken();
        return true;
      }
      return this.beginOrBusy();
    } finally {
      this.setBusyTimeout(this.busyTimeoutMs);
    }
  }

  private beginOrBusy(): boolean {
    try {
      this.stmts.begin.run();
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    }
  }

  /**
   * SQLite applies PRAGMA busy_timeout when the statement is compiled, so it cannot be a prepared
   * statement run later: each call compiles it. Through `exec`, not `pragma()`: `pragma()` makes a
   * Statement object that better-sqlite3 finalizes only when it is garbage collected, through a
   * weak handle — two per group commit, and at half load their callbacks were 1.5–4.4 ms of every
   * scavenge pause (docs/performance.md, "Session 6"). `exec` prepares, runs and finalizes at once.
   */
  private setBusyTimeout(ms: number): void {
    this.db.exec(`PRAGMA busy_timeout = ${ms}`);
  }

  /** Applies one batch inside an open transaction; throws (and the caller rolls back) on conflict. */
  protected applyBatch(batch: CommitBatch): void {
    const s = this.stmts;
    if (batch.idempotency) {
      const i = batch.idempotency;
      try {
        s.insertIdempotency.run(i.accountId, i.key, i.scope, i.statusCode, JSON.stringify(i.headers), i.body, i.createdAt, i.requestHash ?? null);
      } catch (e) {
        if (isUniqueViolation(e)) throw new DuplicateKey('idempotency', 'idempotency key already used');
        throw e;
      }
    }
    if (batch.clockMove) {
      const m = batch.clockMove;
      if (s.setClockOffset.run(m.newOffsetMs, m.accountId, m.expectedOffsetMs).changes !== 1) throw new ConcurrencyConflict(`clock of ${m.accountId} moved concurrently`);
    }
    // A (re)scheduled timer comes with a removal of its id (UnitOfWork.schedule): the removal and
    // the insert are one INSERT OR REPLACE below, one statement instead of two.
    const added = batch.timersAdd;
    const replaced = added?.length ? new Set<string>() : undefined;
    for (const t of batch.timersRemove ?? []) {
      if (replaced && !t.mustExist && added!.some((a) => a.id === t.id)) {
        replaced.add(t.id);
        continue;
      }
      const changes = s.deleteTimer.run(t.id).changes;
      if (t.mustExist && changes !== 1) throw new ConcurrencyConflict(`timer ${t.id} already fired`);
    }
    for (const a of batch.aggregates ?? []) {
      const json = JSON.stringify(a.state);
      if (a.expectedVersion === 0) {
        try {
          s.insertAggregate.run(a.accountId, a.type, a.id, json, a.now, a.now);
        } catch (e) {
          if (isUniqueViolation(e)) throw new ConcurrencyConflict(`${a.type} ${a.id} was created concurrently`);
          throw e;
        }
      } else if (s.updateAggregate.run(json, a.now, a.accountId, a.type, a.id, a.expectedVersion).changes !== 1) {
        throw new ConcurrencyConflict(`${a.type} ${a.id} changed since version ${a.expectedVersion}`);
      }
    }
    for (const k of batch.lookupKeys ?? []) {
      try {
        s.insertLookup.run(k.kind, k.key, k.accountId, k.type, k.id);
      } catch (e) {
        if (isUniqueViolation(e)) throw new DuplicateKey('lookup', `${k.kind} key exists`);
        throw e;
      }
    }
    for (const e of batch.events ?? []) s.insertEvent.run(e.accountId, e.aggregateType, e.aggregateId, e.type, JSON.stringify(e.data), e.occurredAt, e.correlationId ?? null);
    for (const o of batch.outbox ?? [])
      s.insertOutbox.run(o.id, o.accountId, o.kind, o.eventId, o.eventType, o.url, JSON.stringify(o.headers), o.body, o.nextAttemptAt, o.createdAt, o.ref ?? null);
    for (const t of added ?? []) (replaced!.has(t.id) ? s.replaceTimer : s.insertTimer).run(t.id, t.accountId, t.dueAt, t.kind, t.aggregateType, t.aggregateId, JSON.stringify(t.payload));
  }

  async dueTimers(accountId: string, now: number, limit: number): Promise<TimerRecord[]> {
    return (this.stmts.dueTimers.all(accountId, now, limit) as Row[]).map(toTimer);
  }

  async getTimer(id: string): Promise<TimerRecord | undefined> {
    const r = this.stmts.getTimer.get(id) as Row | undefined;
    return r ? toTimer(r) : undefined;
  }

  async countTimers(accountId: string): Promise<number> {
    return (this.stmts.countTimers.get(accountId) as { n: number }).n;
  }

  async claimOutbox(accountId: string, accountNow: number, limit: number, lease: { realNow: number; leaseMs: number }): Promise<OutboxRecord[]> {
    const claimed = this.db
      .transaction(() => {
        const rows = (this.stmts.dueOutbox.all(accountId, accountNow, lease.realNow, limit) as Row[]).map(toOutbox);
        for (const r of rows) this.stmts.leaseOutbox.run(lease.realNow + lease.leaseMs, r.id);
        return rows;
      })
      .immediate();
    // Never deliver an event whose commit a power cut could still take back.
    if (claimed.length > 0) await this.durable();
    return claimed;
  }

  async getOutbox(id: string): Promise<OutboxRecord | undefined> {
    const r = this.stmts.getOutbox.get(id) as Row | undefined;
    return r ? toOutbox(r) : undefined;
  }

  async listOutbox(accountId: string, filter: { ref?: string; eventId?: string }, page: OutboxListPage): Promise<OutboxRecord[]> {
    const where = ['account_id = ?'];
    const args: unknown[] = [accountId];
    if (filter.ref !== undefined) (where.push('ref = ?'), args.push(filter.ref));
    if (filter.eventId !== undefined) (where.push('event_id = ?'), args.push(filter.eventId));
    if (page.after) (where.push(page.newestFirst ? 'id < ?' : 'id > ?'), args.push(page.after));
    args.push(page.limit);
    const order = page.newestFirst ? 'created_at DESC, id DESC' : 'created_at, id';
    const sql = `SELECT * FROM outbox WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toOutbox);
  }

  async recordAttempt(a: DeliveryAttempt, next: { status: OutboxStatus; nextAttemptAt: number }): Promise<void> {
    this.db
      .transaction(() => {
        this.stmts.insertAttempt.run(a.outboxId, a.attempt, a.at, a.statusCode, a.error, a.latencyMs);
        this.stmts.updateOutboxAfterAttempt.run(next.status, a.attempt, next.nextAttemptAt, a.outboxId);
      })
      .immediate();
    await this.durable();
  }

  async listAttempts(outboxId: string): Promise<DeliveryAttempt[]> {
    return (this.stmts.listAttempts.all(outboxId) as Row[]).map(toAttempt);
  }

  async requeueOutbox(id: string, nextAttemptAt: number): Promise<boolean> {
    const requeued = this.stmts.requeueOutbox.run(nextAttemptAt, id).changes === 1;
    if (requeued) await this.durable();
    return requeued;
  }

  async getOrCreateSetting(key: string, value: string): Promise<string> {
    if (this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value).changes > 0) await this.durable();
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string }).value;
  }

  async getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const r = this.stmts.getIdempotency.get(accountId, key) as Row | undefined;
    return r ? toIdempotency(r) : undefined;
  }

  async purgeIdempotency(createdBefore: number): Promise<number> {
    const purged = this.stmts.purgeIdempotency.run(createdBefore).changes;
    if (purged > 0) await this.durable();
    return purged;
  }

  async listRecentAggregates<T>(accountId: string, type: string, page: import('../port.js').RecentPage): Promise<AggregateRecord<T>[]> {
    const rows = page.before
      ? this.db
          .prepare('SELECT * FROM aggregates WHERE account_id = ? AND type = ? AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?')
          .all(accountId, type, page.before.createdAt, page.before.createdAt, page.before.id, page.limit)
      : this.db.prepare('SELECT * FROM aggregates WHERE account_id = ? AND type = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(accountId, type, page.limit);
    return (rows as Row[]).map((r) => toAggregate<T>(r)!);
  }

  // Requests log and metrics figures (appended for the dashboard; docs/dashboard.md).

  /**
   * Not a command: the log may lose its last entries in a crash, so this write neither joins the
   * group commit nor waits for a WAL sync (the next commit's sync covers it). It never waits for
   * another process's write lock either, which would stall this process's event loop: when the
   * lock is held it throws SQLITE_BUSY and the caller keeps the entries for its next flush.
   */
  async appendRequestLog(entries: RequestLogWrite[]): Promise<void> {
    if (entries.length === 0) return;
    const { insertRequestLog: insert, pruneRequestLog: prune } = this.stmts;
    this.setBusyTimeout(0);
    try {
      this.db
        .transaction(() => {
          for (const e of entries)
            insert.run(e.id, e.accountId, e.at, e.method, e.path, e.route, e.statusCode, e.durationMs, e.correlationId, e.idempotencyKey ?? null, e.requestBody ?? null, e.responseBody ?? null);
          for (const accountId of new Set(entries.map((e) => e.accountId))) prune.run(accountId, accountId, limits.requestLogPerAccountMax);
        })
        .immediate();
    } finally {
      this.setBusyTimeout(this.busyTimeoutMs);
    }
  }

  async listRequestLog(accountId: string, page: { limit: number; before?: string }): Promise<RequestLogRecord[]> {
    const rows =
      page.before === undefined
        ? this.db.prepare('SELECT * FROM request_log WHERE account_id = ? ORDER BY at DESC, id DESC LIMIT ?').all(accountId, page.limit)
        : this.db
            .prepare('SELECT * FROM request_log WHERE account_id = ? AND (at, id) < (SELECT at, id FROM request_log WHERE account_id = ? AND id = ?) ORDER BY at DESC, id DESC LIMIT ?')
            .all(accountId, accountId, page.before, page.limit);
    return (rows as Row[]).map(toRequestLog);
  }

  async getRequestLog(accountId: string, correlationId: string): Promise<RequestLogRecord | undefined> {
    const r = this.db.prepare('SELECT * FROM request_log WHERE account_id = ? AND correlation_id = ? ORDER BY at DESC, id DESC LIMIT 1').get(accountId, correlationId) as Row | undefined;
    return r ? toRequestLog(r) : undefined;
  }

  async countBacklog(systemNow: number): Promise<BacklogCounts> {
    const cap = limits.metricsCountMax;
    // Each walks an existing index per account: timers_due (account_id, due_at), outbox_due (account_id,
    // status, …). CROSS JOIN keeps accounts the outer loop (SQLite's planner would scan the index whole).
    const count = (sql: string, ...args: unknown[]) => (this.db.prepare(`SELECT COUNT(*) AS n FROM (${sql} LIMIT ${cap})`).get(...args) as { n: number }).n;
    return {
      timersDue: count('SELECT 1 FROM accounts a CROSS JOIN timers t ON t.account_id = a.id AND t.due_at <= ? + a.clock_offset_ms', systemNow),
      outboxPending: count("SELECT 1 FROM accounts a CROSS JOIN outbox o ON o.account_id = a.id AND o.status = 'pending'"),
      outboxFailed: count("SELECT 1 FROM accounts a CROSS JOIN outbox o ON o.account_id = a.id AND o.status = 'failed'"),
    };
  }
}

function aggregateKey(accountId: string, type: string, id: string): string {
  return `${accountId}\u0000${type}\u0000${id}`;
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
