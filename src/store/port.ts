/**
 * The store port: the only way the application touches durable state. Two adapters implement it
 * (sqlite/ and postgres/) and both pass one contract suite (contract.ts).
 *
 * Writes go through `commit(batch)`: one atomic transaction holding the new aggregate states
 * (with optimistic version checks), lookup keys, events, outbox rows, timer changes and the
 * idempotency record. Either all of it is durable when the promise resolves, or none of it is.
 * Aggregates are stored as JSON documents keyed by (account, type, id): every read is scoped by
 * account, so one account can never load another's object.
 */

export interface AggregateRecord<T = unknown> {
  accountId: string;
  type: string;
  id: string;
  version: number;
  state: T;
  createdAt: number;
  updatedAt: number;
}

export interface AggregateWrite {
  accountId: string;
  type: string;
  id: string;
  /** 0 to insert a new aggregate; otherwise the version that was read (compare-and-set). */
  expectedVersion: number;
  state: unknown;
  now: number;
}

/** A secondary key (a token, a reference) that finds an aggregate; unique per kind. */
export interface LookupKey {
  kind: string;
  key: string;
  accountId: string;
  type: string;
  id: string;
}

export interface EventWrite {
  accountId: string;
  aggregateType: string;
  aggregateId: string;
  type: string;
  data: unknown;
  occurredAt: number;
  /**
   * The correlation id of the command that wrote it: the API request's `Klarna-Correlation-Id`,
   * or a timer firing's own id. A dashboard timeline joins it to the requests log.
   */
  correlationId?: string;
}

export interface EventRecord extends EventWrite {
  seq: number;
}

export interface TimerWrite {
  id: string;
  accountId: string;
  /** Account-clock time (ms since epoch) at which the timer falls due. */
  dueAt: number;
  kind: string;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
}

export type TimerRecord = TimerWrite;

export interface OutboxWrite {
  id: string;
  accountId: string;
  /** What produced it: 'webhook', 'notification', … — selects the delivery policy. */
  kind: string;
  /** Stable id of the event carried; the same on every attempt. */
  eventId: string;
  eventType: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Account-clock time of the first attempt. */
  nextAttemptAt: number;
  createdAt: number;
  /** Free-form reference (e.g. webhook id) for listing deliveries. */
  ref?: string;
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxRecord extends OutboxWrite {
  status: OutboxStatus;
  attempts: number;
}

export interface DeliveryAttempt {
  outboxId: string;
  attempt: number;
  at: number;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
}

export interface IdempotencyRecord {
  accountId: string;
  key: string;
  /** Method and route pattern of the first request; a key reused elsewhere is refused. */
  scope: string;
  /**
   * SHA-256 of the first request (method, route, path, canonical body): the same key with a
   * different request is refused. Absent on records written before it was stored (they replay).
   */
  requestHash?: string;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  createdAt: number;
}

/** Moves an account's test clock inside a commit (compare-and-set on the offset). */
export interface ClockMove {
  accountId: string;
  expectedOffsetMs: number;
  newOffsetMs: number;
}

export interface CommitBatch {
  aggregates?: AggregateWrite[];
  lookupKeys?: LookupKey[];
  events?: EventWrite[];
  outbox?: OutboxWrite[];
  timersAdd?: TimerWrite[];
  /** Timer ids to delete. `mustExist` ones make the commit fail if already gone (fired elsewhere). */
  timersRemove?: { id: string; mustExist: boolean }[];
  idempotency?: IdempotencyRecord;
  /**
   * Moves the account's test clock in the same transaction, so a clock advance and its
   * idempotency record are durable together. ConcurrencyConflict if the offset had changed.
   */
  clockMove?: ClockMove;
}

/** Group-commit counters both adapters keep, for tests and the benchmark: how many transactions carried how many batches. */
export interface GroupCommitStats {
  transactions: number;
  batches: number;
  largestGroup: number;
}

export interface AccountRecord {
  id: string;
  username: string;
  secretHash: string;
  createdAt: number;
  /** Test-clock offset: account time = system time + offset. Only grows. */
  clockOffsetMs: number;
  /** True for the sandbox merchant created at first start. */
  isDefault: boolean;
}

/** A commit lost a race: a version check or a must-exist timer failed. Nothing was written. */
export class ConcurrencyConflict extends Error {
  override name = 'ConcurrencyConflict';
}

/** A commit tried to insert a key (lookup, idempotency, aggregate id) that exists. Nothing was written. */
export class DuplicateKey extends Error {
  override name = 'DuplicateKey';
  constructor(readonly what: 'aggregate' | 'lookup' | 'idempotency', message: string) {
    super(message);
  }
}

/**
 * One API request of an account, as the requests log keeps it (docs/dashboard.md). Bodies and
 * the path are already redacted and truncated when written (src/http/request-log.ts): the store
 * holds no secret.
 */
export interface RequestLogWrite {
  id: string;
  accountId: string;
  /** Account-clock time the request arrived (the clock of the event log's `occurredAt`). */
  at: number;
  method: string;
  /** Path and query string, with tokens in either replaced by `[redacted]`. */
  path: string;
  /** The matched route pattern (`/payments/v1/sessions/:session_id`), or 'unmatched'. */
  route: string;
  statusCode: number;
  durationMs: number;
  correlationId: string;
  idempotencyKey?: string;
  /** Redacted, truncated request body (JSON text), if the request had one. */
  requestBody?: string;
  /** Redacted, truncated response body (JSON text), if the response had one. */
  responseBody?: string;
}

export type RequestLogRecord = RequestLogWrite;

export interface BacklogCounts {
  timersDue: number;
  outboxPending: number;
  outboxFailed: number;
}

/**
 * The database cannot be reached (a PostgreSQL restart, a network cut, a terminated connection).
 * Nothing of the failed call was acknowledged; the HTTP layer answers 503 and the next call tries
 * again on a fresh connection, so Kassa recovers without a restart.
 */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}

export interface ListPage {
  limit: number;
  /** Return ids greater than this (ids sort by creation when they start with a time prefix). */
  after?: string;
}

/** Outbox listing order: a delivery log shows the latest first. */
export interface OutboxListPage extends ListPage {
  /** Newest first (created_at, then id, descending); `after` then means "older than this id". */
  newestFirst?: boolean;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  // Accounts
  createAccount(account: AccountRecord): Promise<void>;
  /**
   * Creates `account` (marked default) unless some account is already marked default: true when it
   * did. Atomic across processes and nodes, so several starting together make one default merchant.
   */
  createDefaultAccount(account: AccountRecord): Promise<boolean>;
  getAccount(id: string): Promise<AccountRecord | undefined>;
  getAccountByUsername(username: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  /** Compare-and-set of the test-clock offset; false when it had changed. */
  setClockOffset(accountId: string, expectedOffsetMs: number, newOffsetMs: number): Promise<boolean>;

  // Aggregates and events
  getAggregate<T = unknown>(accountId: string, type: string, id: string): Promise<AggregateRecord<T> | undefined>;
  listAggregates<T = unknown>(accountId: string, type: string, page: ListPage): Promise<AggregateRecord<T>[]>;
  findLookup(kind: string, key: string): Promise<LookupKey | undefined>;
  listEvents(accountId: string, aggregateType: string, aggregateId: string): Promise<EventRecord[]>;
  commit(batch: CommitBatch): Promise<void>;
  /**
   * Undefined when everything committed so far is durable; otherwise a promise that resolves once
   * it is. The HTTP layer waits on it before any answer, so no answer shows state that a power cut
   * could still take back (see SqliteStore's WAL sync).
   */
  durableBarrier(): Promise<void> | undefined;

  // Timers (account clock)
  dueTimers(accountId: string, now: number, limit: number): Promise<TimerRecord[]>;
  getTimer(id: string): Promise<TimerRecord | undefined>;
  countTimers(accountId: string): Promise<number>;

  // Outbox
  /**
   * Claims pending rows due at `accountNow` (account clock), leasing them until
   * `lease.realNow + lease.leaseMs` (system clock) so no other node or loop delivers them meanwhile;
   * a dead node's lease simply runs out. PostgreSQL uses FOR UPDATE SKIP LOCKED.
   */
  claimOutbox(accountId: string, accountNow: number, limit: number, lease: { realNow: number; leaseMs: number }): Promise<OutboxRecord[]>;
  getOutbox(id: string): Promise<OutboxRecord | undefined>;
  listOutbox(accountId: string, filter: { ref?: string; eventId?: string }, page: OutboxListPage): Promise<OutboxRecord[]>;
  /** Records an attempt and the row's new status / next attempt time, atomically. */
  recordAttempt(attempt: DeliveryAttempt, next: { status: OutboxStatus; nextAttemptAt: number }): Promise<void>;
  listAttempts(outboxId: string): Promise<DeliveryAttempt[]>;
  /** Puts a failed (or delivered) row back to pending for a manual replay. */
  requeueOutbox(id: string, nextAttemptAt: number): Promise<boolean>;

  /** Returns the stored value of an instance setting, storing `value` first if there is none. */
  getOrCreateSetting(key: string, value: string): Promise<string>;

  // Requests log (kept bounded: the newest `limits.requestLogPerAccountMax` per account)
  /** Appends entries (any accounts) and prunes each account touched to its newest entries. */
  appendRequestLog(entries: RequestLogWrite[]): Promise<void>;
  /** Newest first; `before` is an entry id: only entries older than it. */
  listRequestLog(accountId: string, page: { limit: number; before?: string }): Promise<RequestLogRecord[]>;
  getRequestLog(accountId: string, correlationId: string): Promise<RequestLogRecord | undefined>;
  /**
   * Figures for GET /metrics, each counted up to `limits.metricsCountMax`: timers due on their
   * account's clock at `systemNow`, pending and failed outbox rows.
   */
  countBacklog(systemNow: number): Promise<BacklogCounts>;

  // Idempotency
  getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | undefined>;
  purgeIdempotency(createdBefore: number): Promise<number>;

  // Dashboard (src/dashboard): an account's objects of one type, newest first
  /**
   * Aggregates of one type, newest first (created_at, then id, descending); `before` is the
   * cursor of the last row of the previous page, so paging is stable while new objects arrive.
   */
  listRecentAggregates<T = unknown>(accountId: string, type: string, page: RecentPage): Promise<AggregateRecord<T>[]>;
}

/** A newest-first page: rows strictly older than `before` (created_at, id). */
export interface RecentPage {
  limit: number;
  before?: { createdAt: number; id: string };
}
