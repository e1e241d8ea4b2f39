/**
 * PostgreSQL adapter (node-postgres). Any number of Kassa nodes share one database: aggregate
 * writes are compare-and-set on their version, timers are consumed with a must-exist delete, and
 * outbox rows are claimed with FOR UPDATE SKIP LOCKED leases, so each fires once and a dead node's
 * work is taken over when its lease runs out. `synchronous_commit` stays on: COMMIT returns after
 * the WAL is flushed.
 */
import pg from 'pg';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { limits } from '../../domain/limits.js';
import { readMigrations } from '../migrations.js';
import { observeCommitGroup, observeDurableSync } from '../store-observer.js';
import { ReadBatcher } from './read-batcher.js';
import { statements, type PreparedStatement } from './prepared.js';
import {
  ConcurrencyConflict,
  DuplicateKey,
  StoreUnavailable,
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
import { toAccount, toAggregate, toAttempt, toEvent, toIdempotency, toOutbox, toRequestLog, toTimer } from '../rows.js';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

// BIGINT columns come back as strings by default; all of ours fit in a JS number (ms timestamps).
pg.types.setTypeParser(20, (v) => Number(v));

export interface PostgresOptions {
  connectionString: string;
  /** Run in a schema of its own (tests use one per run so they never collide). */
  schema?: string;
  poolSize?: number;
  /** Shown in pg_stat_activity (default "kassa"), so an operator can tell Kassa's connections apart. */
  applicationName?: string;
}

type Row = Record<string, unknown>;

interface QueuedCommit {
  /** The batch as kassa_commit_group reads it (see batchJson). */
  json: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly schema?: string;
  private queue: QueuedCommit[] = [];
  private flushScheduled = false;
  private groupsInFlight = 0;
  private readonly inFlight = new Set<Promise<void>>();
  readonly groupCommitStats: GroupCommitStats = { transactions: 0, batches: 0, largestGroup: 0 };
  /** The two reads every request makes, batched per event-loop turn (read-batcher.ts). */
  private readonly accountReads = new ReadBatcher<string, Row>(
    (ids) => (ids.length === 1 ? this.all(statements.accountById, ids) : this.all(statements.accountsByIds, [ids])),
    (r) => r.id as string,
    (id) => id,
  );
  private readonly aggregateReads = new ReadBatcher<[string, string, string], Row>(
    (keys) =>
      keys.length === 1
        ? this.all(statements.aggregateByKey, keys[0]!)
        : this.all(
            statements.aggregatesByKeys,
            [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])],
          ),
    (r) => `${r.account_id as string}\u0000${r.type as string}\u0000${r.id as string}`,
    (k) => k.join('\u0000'),
  );

  constructor(options: PostgresOptions) {
    this.schema = options.schema;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'kassa',
      // An unreachable server fails a request (503) instead of holding it forever.
      connectionTimeoutMillis: limits.postgresConnectTimeoutMs,
      options: options.schema ? `-c search_path=${options.schema}` : undefined,
    });
    // An idle client's error (e.g. the server restarting) must not crash the process.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // One node migrates at a time; the others wait on the advisory lock and then see it done.
      await client.query('SELECT pg_advisory_lock($1)', [advisoryLock.migrations]);
      if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
      const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      for (const m of readMigrations(migrationsDir)) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [advisoryLock.migrations]).catch(() => undefined);
      client.release();
    }
  }

  async close(): Promise<void> {
    // Commits already queued are still written (their callers are waiting for them).
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      if (this.queue.length > 0 && this.groupsInFlight < limits.postgresGroupsInFlightMax && !this.pool.ended) this.flush();
      else if (this.inFlight.size > 0) await Promise.race(this.inFlight);
      else for (const c of this.queue.splice(0)) c.reject(new Error('store is closed'));
    }
    // Idempotent, like the SQLite adapter's: closing Kassa and then its test schema must not throw.
    if (!this.pool.ended) await this.pool.end();
  }

  /**
   * Every statement goes through here: a lost connection becomes StoreUnavailable (HTTP 503). The
   * hot ones come as named prepared statements (prepared.ts), the rest as text.
   */
  private async query<R extends pg.QueryResultRow = Row>(sql: string | PreparedStatement, args: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await (typeof sql === 'string' ? this.pool.query<R>(sql, args) : this.pool.query<R>({ name: sql.name, text: sql.text, values: args }));
    } catch (error) {
      throw unavailableOr(error);
    }
  }

  /**
   * A read (SELECT only): when its connection turns out dead (the server restarted, or the backend
   * was terminated while the pool held it idle), it runs again — a read has no effect to repeat.
   * Each dead connection leaves the pool, so after at most one try per pooled connection it either
   * gets a fresh one or the server really is unreachable. Writes are never retried here: their
   * fate is for the caller to settle (its Klarna-Idempotency-Key).
   */
  private async read(sql: string | PreparedStatement, args: unknown[]): Promise<Row[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.query(sql, args)).rows;
      } catch (error) {
        if (!(error instanceof StoreUnavailable) || !isDeadConnection(error.cause) || attempt > this.pool.options.max) throw error;
      }
    }
  }

  private async one(sql: string | PreparedStatement, args: unknown[]): Promise<Row | undefined> {
    return (await this.read(sql, args))[0];
  }

  private async all(sql: string | PreparedStatement, args: unknown[]): Promise<Row[]> {
    return this.read(sql, args);
  }

  async createAccount(a: AccountRecord): Promise<void> {
    try {
      await this.query(
        'INSERT INTO accounts (id, username, secret_hash, created_at, clock_offset_ms, is_default) VALUES ($1, $2, $3, $4, $5, $6)',
        [a.id, a.username, a.secretHash, a.createdAt, a.clockOffsetMs, a.isDefault],
      );
    } catch (e) {
      throw accountInsertError(e, a);
    }
  }

  async createDefaultAccount(a: AccountRecord): Promise<boolean> {
    // The lock is taken before the check, in a statement of its own: under READ COMMITTED the
    // check's snapshot then includes a default another node committed while this one waited.
    const client = await this.pool.connect().catch((error: unknown) => Promise.reject(unavailableOr(error)));
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryLock.defaultAccount]);
      const inserted = await client.query(
        'INSERT INTO accounts (id, username, secret_hash, created_at, clock_offset_ms, is_default) SELECT $1, $2, $3, $4, $5, true WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE is_default)',
        [a.id, a.username, a.secretHash, a.createdAt, a.clockOffsetMs],
      );
      await client.query('COMMIT');
      return inserted.rowCount === 1;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw accountInsertError(unavailableOr(error), a);
    } finally {
      client.release();
    }
  }

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    return toAccount(await this.accountReads.load(id));
  }

  async getAccountByUsername(username: string): Promise<AccountRecord | undefined> {
    return toAccount(await this.one('SELECT * FROM accounts WHERE username = $1', [username]));
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (await this.all('SELECT * FROM accounts ORDER BY created_at, id', [])).map((r) => toAccount(r)!);
  }

  async setClockOffset(accountId: string, expected: number, next: number): Promise<boolean> {
    const r = await this.query('UPDATE accounts SET clock_offset_ms = $1 WHERE id = $2 AND clock_offset_ms = $3', [next, accountId, expected]);
    return r.rowCount === 1;
  }

  async getAggregate<T>(accountId: string, type: string, id: string): Promise<AggregateRecord<T> | undefined> {
    return toAggregate<T>(await this.aggregateReads.load([accountId, type, id]));
  }

  async listAggregates<T>(accountId: string, type: string, page: ListPage): Promise<AggregateRecord<T>[]> {
    const rows = await this.all('SELECT * FROM aggregates WHERE account_id = $1 AND type = $2 AND id > $3 ORDER BY id LIMIT $4', [accountId, type, page.after ?? '', page.limit]);
    return rows.map((r) => toAggregate<T>(r)!);
  }

  /** PostgreSQL's COMMIT returns after its WAL flush (synchronous_commit=on): nothing is ever pending. */
  durableBarrier(): undefined {
    return undefined;
  }

  async findLookup(kind: string, key: string): Promise<LookupKey | undefined> {
    const r = await this.one(statements.lookup, [kind, key]);
    return r ? { kind: r.kind as string, key: r.key as string, accountId: r.account_id as string, type: r.type as string, id: r.id as string } : undefined;
  }

  async listEvents(accountId: string, aggregateType: string, aggregateId: string): Promise<EventRecord[]> {
    return (await this.all('SELECT * FROM events WHERE account_id = $1 AND aggregate_type = $2 AND aggregate_id = $3 ORDER BY seq', [accountId, aggregateType, aggregateId])).map(toEvent);
  }

  commit(batch: CommitBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // Serialised now, so a batch that cannot be (a cyclic state) fails alone, not its group.
      const json = JSON.stringify(batchJson(batch));
      // jsonb cannot hold U+0000 or a lone surrogate (JSON.stringify writes both as \u escapes): in
      // a plain text field one would fail the whole group's statement, so it fails its own batch
      // here. Inside documents they are escaped twice and stored as the characters JSON uses.
      if (unstorable.test(json)) return reject(Object.assign(new Error('commit failed: a text value holds U+0000 or a lone surrogate, which PostgreSQL cannot store'), { code: '22P05' }));
      this.queue.push({ json, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * setImmediate, not a microtask: every request whose I/O arrived in this turn of the event loop
   * reaches its commit first and joins the group. While `limits.postgresGroupsInFlightMax` groups
   * are on their way, new commits wait in the queue: the next group leaves when one comes back.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      while (this.queue.length > 0 && this.groupsInFlight < limits.postgresGroupsInFlightMax) this.flush();
    });
  }

  private flush(): void {
    const group = this.queue.splice(0, limits.postgresGroupBatchesMax);
    this.groupsInFlight++;
    this.groupCommitStats.transactions++;
    this.groupCommitStats.batches += group.length;
    if (group.length > this.groupCommitStats.largestGroup) this.groupCommitStats.largestGroup = group.length;
    // One statement outside an explicit transaction: PostgreSQL runs it as one transaction whose
    // COMMIT returns after the WAL flush (synchronous_commit=on), so a resolved promise is durable.
    observeCommitGroup('postgres', group.length);
    const started = performance.now();
    const done: Promise<void> = this
      .query<{ outcomes: (string | null)[] }>(statements.commitGroup, [groupJson(group)])
      .then(
        (result) => {
          // The statement's round trip includes its COMMIT's WAL flush: the figure /metrics calls sync latency.
          observeDurableSync('postgres', (performance.now() - started) / 1000);
          const outcomes = result.rows[0]!.outcomes;
          for (const [i, c] of group.entries()) {
            const outcome = outcomes[i];
            if (outcome === null || outcome === undefined) c.resolve();
            else c.reject(outcomeError(outcome));
          }
        },
        (error: unknown) => {
          // Nothing of the group was written (or, if the connection broke during COMMIT, it is
          // unknown: the caller answers 5xx and the client's retry with its idempotency key settles it).
          for (const c of group) c.reject(error);
        },
      )
      .finally(() => {
        this.groupsInFlight--;
        this.inFlight.delete(done);
        if (this.queue.length > 0) this.scheduleFlush();
      });
    this.inFlight.add(done);
  }

  async dueTimers(accountId: string, now: number, limit: number): Promise<TimerRecord[]> {
    return (await this.all(statements.dueTimers, [accountId, now, limit])).map(toTimer);
  }

  async getTimer(id: string): Promise<TimerRecord | undefined> {
    const r = await this.one(statements.timerById, [id]);
    return r ? toTimer(r) : undefined;
  }

  async countTimers(accountId: string): Promise<number> {
    return Number((await this.one('SELECT COUNT(*) AS n FROM timers WHERE account_id = $1', [accountId]))!.n);
  }

  async claimOutbox(accountId: string, accountNow: number, limit: number, lease: { realNow: number; leaseMs: number }): Promise<OutboxRecord[]> {
    const { rows } = await this.query(
      `UPDATE outbox SET lease_until = $4 WHERE id IN (
         SELECT id FROM outbox WHERE account_id = $1 AND status = 'pending' AND next_attempt_at <= $2 AND lease_until <= $3
         ORDER BY next_attempt_at, created_at LIMIT $5 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [accountId, accountNow, lease.realNow, lease.realNow + lease.leaseMs, limit],
    );
    return rows.map(toOutbox).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt);
  }

  async getOutbox(id: string): Promise<OutboxRecord | undefined> {
    const r = await this.one('SELECT * FROM outbox WHERE id = $1', [id]);
    return r ? toOutbox(r) : undefined;
  }

  async listOutbox(accountId: string, filter: { ref?: string; eventId?: string }, page: OutboxListPage): Promise<OutboxRecord[]> {
    const where = ['account_id = $1'];
    const args: unknown[] = [accountId];
    if (filter.ref !== undefined) (args.push(filter.ref), where.push(`ref = $${args.length}`));
    if (filter.eventId !== undefined) (args.push(filter.eventId), where.push(`event_id = $${args.length}`));
    if (page.after) (args.push(page.after), where.push(`id ${page.newestFirst ? '<' : '>'} $${args.length}`));
    args.push(page.limit);
    const order = page.newestFirst ? 'created_at DESC, id DESC' : 'created_at, id';
    return (await this.all(`SELECT * FROM outbox WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${args.length}`, args)).map(toOutbox);
  }

  async recordAttempt(a: DeliveryAttempt, next: { status: OutboxStatus; nextAttemptAt: number }): Promise<void> {
    // One statement, so one transaction and one round trip: the attempt and the row's new status.
    await this.query(
      `WITH attempt AS (INSERT INTO delivery_attempts (outbox_id, attempt, at, status_code, error, latency_ms) VALUES ($1, $2, $3, $4, $5, $6))
       UPDATE outbox SET status = $7, attempts = $2, next_attempt_at = $8, lease_until = 0 WHERE id = $1`,
      [a.outboxId, a.attempt, a.at, a.statusCode, a.error, a.latencyMs, next.status, next.nextAttemptAt],
    );
  }

  async listAttempts(outboxId: string): Promise<DeliveryAttempt[]> {
    return (await this.all('SELECT * FROM delivery_attempts WHERE outbox_id = $1 ORDER BY attempt', [outboxId])).map(toAttempt);
  }

  async requeueOutbox(id: string, nextAttemptAt: number): Promise<boolean> {
    return (await this.query("UPDATE outbox SET status = 'pending', next_attempt_at = $1, lease_until = 0 WHERE id = $2", [nextAttemptAt, id])).rowCount === 1;
  }

  async getOrCreateSetting(key: string, value: string): Promise<string> {
    await this.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await this.one('SELECT value FROM settings WHERE key = $1', [key]))!.value as string;
  }

  async getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const r = await this.one('SELECT * FROM idempotency WHERE account_id = $1 AND key = $2', [accountId, key]);
    return r ? toIdempotency(r) : undefined;
  }

  async purgeIdempotency(createdBefore: number): Promise<number> {
    return (await this.query('DELETE FROM idempotency WHERE created_at < $1', [createdBefore])).rowCount ?? 0;
  }

  async listRecentAggregates<T>(accountId: string, type: string, page: import('../port.js').RecentPage): Promise<AggregateRecord<T>[]> {
    const rows = page.before
      ? await this.all('SELECT * FROM aggregates WHERE account_id = $1 AND type = $2 AND (created_at, id) < ($3, $4) ORDER BY created_at DESC, id DESC LIMIT $5', [
          accountId, type, page.before.createdAt, page.before.id, page.limit,
        ])
      : await this.all('SELECT * FROM aggregates WHERE account_id = $1 AND type = $2 ORDER BY created_at DESC, id DESC LIMIT $3', [accountId, type, page.limit]);
    return rows.map((r) => toAggregate<T>(r)!);
  }

  // Requests log and metrics figures (appended for the dashboard; docs/dashboard.md).

  /** One statement: the rows, and each account touched pruned to its newest entries (migration 007). */
  async appendRequestLog(entries: RequestLogWrite[]): Promise<void> {
    if (entries.length === 0) return;
    // Column arrays, not jsonb: a text array stores exactly what text parameters stored before.
    const column = <K extends keyof RequestLogWrite>(key: K) => entries.map((e) => e[key] ?? null);
    await this.query(statements.appendRequestLog, [
      column('id'),
      column('accountId'),
      column('at'),
      column('method'),
      column('path'),
      column('route'),
      column('statusCode'),
      column('durationMs'),
      column('correlationId'),
      column('idempotencyKey'),
      column('requestBody'),
      column('responseBody'),
      limits.requestLogPerAccountMax,
    ]);
  }

  async listRequestLog(accountId: string, page: { limit: number; before?: string }): Promise<RequestLogRecord[]> {
    const rows =
      page.before === undefined
        ? await this.all('SELECT * FROM request_log WHERE account_id = $1 ORDER BY at DESC, id DESC LIMIT $2', [accountId, page.limit])
        : await this.all(
            'SELECT * FROM request_log WHERE account_id = $1 AND (at, id) < (SELECT at, id FROM request_log WHERE account_id = $1 AND id = $2) ORDER BY at DESC, id DESC LIMIT $3',
            [accountId, page.before, page.limit],
          );
    return rows.map(toRequestLog);
  }

  async getRequestLog(accountId: string, correlationId: string): Promise<RequestLogRecord | undefined> {
    const r = await this.one('SELECT * FROM request_log WHERE account_id = $1 AND correlation_id = $2 ORDER BY at DESC, id DESC LIMIT 1', [accountId, correlationId]);
    return r ? toRequestLog(r) : undefined;
  }

  async countBacklog(systemNow: number): Promise<BacklogCounts> {
    const cap = limits.metricsCountMax;
    const count = async (sql: string, args: unknown[]) => Number((await this.one(`SELECT COUNT(*) AS n FROM (${sql} LIMIT ${cap}) capped`, args))!.n);
    return {
      timersDue: await count('SELECT 1 FROM accounts a JOIN timers t ON t.account_id = a.id AND t.due_at <= $1 + a.clock_offset_ms', [systemNow]),
      outboxPending: await count("SELECT 1 FROM accounts a JOIN outbox o ON o.account_id = a.id AND o.status = 'pending'", []),
      outboxFailed: await count("SELECT 1 FROM accounts a JOIN outbox o ON o.account_id = a.id AND o.status = 'failed'", []),
    };
  }
}

/** Keys of the advisory locks Kassa's nodes take on one database; each must differ from the others. */
const advisoryLock = { migrations: 4545, defaultAccount: 4546 } as const;

/** A second account with the same username is DuplicateKey; anything else stays as it was. */
function accountInsertError(error: unknown, a: AccountRecord): unknown {
  return isUniqueViolation(error) ? new DuplicateKey('aggregate', `account ${a.username} exists`) : error;
}

/** A `\u0000` or lone-surrogate escape in JSON text (not an escaped backslash followed by "u…"). */
const unstorable = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/;

function groupJson(group: QueuedCommit[]): string {
  return `[${group.map((c) => c.json).join(',')}]`;
}

/** A batch as kassa_commit_group (migration 005) reads it: rows as objects keyed by column name. */
function batchJson(batch: CommitBatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const i = batch.idempotency;
  if (i) {
    out.idempotency = { account_id: i.accountId, key: i.key, scope: i.scope, status_code: i.statusCode, headers: JSON.stringify(i.headers), body: i.body, created_at: i.createdAt, request_hash: i.requestHash ?? null };
  }
  if (batch.clockMove) out.clockMove = batch.clockMove;
  if (batch.timersRemove?.length) out.timersRemove = batch.timersRemove.map((t) => [t.id, t.mustExist]);
  if (batch.aggregates?.length) {
    out.aggregates = batch.aggregates.map((a) => ({
      expected: a.expectedVersion,
      row: { account_id: a.accountId, type: a.type, id: a.id, version: 1, state: JSON.stringify(a.state), created_at: a.now, updated_at: a.now },
    }));
  }
  if (batch.lookupKeys?.length) out.lookupKeys = batch.lookupKeys.map((k) => ({ kind: k.kind, key: k.key, account_id: k.accountId, type: k.type, id: k.id }));
  if (batch.events?.length) {
    out.events = batch.events.map((e) => ({
      account_id: e.accountId,
      aggregate_type: e.aggregateType,
      aggregate_id: e.aggregateId,
      type: e.type,
      data: JSON.stringify(e.data),
      occurred_at: e.occurredAt,
      correlation_id: e.correlationId ?? null,
    }));
  }
  if (batch.outbox?.length) {
    out.outbox = batch.outbox.map((o) => ({
      id: o.id,
      account_id: o.accountId,
      kind: o.kind,
      event_id: o.eventId,
      event_type: o.eventType,
      url: o.url,
      headers: JSON.stringify(o.headers),
      body: o.body,
      status: 'pending',
      attempts: 0,
      next_attempt_at: o.nextAttemptAt,
      lease_until: 0,
      created_at: o.createdAt,
      ref: o.ref ?? null,
    }));
  }
  if (batch.timersAdd?.length) {
    out.timersAdd = batch.timersAdd.map((t) => ({
      id: t.id,
      account_id: t.accountId,
      due_at: t.dueAt,
      kind: t.kind,
      aggregate_type: t.aggregateType,
      aggregate_id: t.aggregateId,
      payload: JSON.stringify(t.payload),
    }));
  }
  return out;
}

/** kassa_commit_group's outcome for a batch that was rolled back to its savepoint. */
function outcomeError(outcome: string): Error {
  const message = outcome.slice(2);
  switch (outcome[0]) {
    case 'C':
      return new ConcurrencyConflict(message);
    case 'I':
      return new DuplicateKey('idempotency', message);
    case 'L':
      return new DuplicateKey('lookup', message);
    default:
      return Object.assign(new Error(`commit failed: ${message}`), { code: message.slice(0, 5) });
  }
}

/**
 * Connection-level failures: SQLSTATE class 08 (connection exception), 57P01–57P03 (the server is
 * shutting down, crashed, or still starting), 53300 (too many connections), and the driver's own
 * socket errors. Anything else is not about reaching the database and is passed on unchanged.
 */
function unavailableOr(error: unknown): unknown {
  const e = error as { code?: string; message?: string };
  const code = e.code ?? '';
  const unreachable =
    code.startsWith('08') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '53300' ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code) ||
    /Connection terminated|connection error|timeout exceeded when trying to connect|Connection ended|not queryable/i.test(e.message ?? '');
  return unreachable ? new StoreUnavailable(`database unavailable: ${e.message ?? code}`, { cause: error }) : error;
}

/**
 * A connection that was open and died (its backend terminated, the server restarted, a reset):
 * another pooled or fresh one may work at once. Not a connection that could not be made (refused,
 * timed out): trying again would only make the caller wait longer for its 503.
 */
function isDeadConnection(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (e.code === '57P01' || e.code === '57P02' || e.code === 'ECONNRESET' || e.code === 'EPIPE') return true;
  return /Connection terminated unexpectedly|not queryable|Connection ended/i.test(e.message ?? '') && !/timeout/i.test(e.message ?? '');
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string }).code === '23505';
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name ${name}`);
  return `"${name}"`;
}
