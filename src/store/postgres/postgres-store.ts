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
import { readMigrations } from '../migrations.js';
import { observeCommitGroup, observeDurableSync } from '../store-observer.js';
import { limits } from '../../domain/limits.js';
import {
  ConcurrencyConflict,
  DuplicateKey,
  type AccountRecord,
  type AggregateRecord,
  type CommitBatch,
  type DeliveryAttempt,
  type EventRecord,
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
import { toAccount, toAggregate, toAttempt, toEvent, toIdempotency, toOutbox, toRequestLog, toTimer } from '../sqlite/sqlite-store.js';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

// BIGINT columns come back as strings by default; all of ours fit in a JS number (ms timestamps).
pg.types.setTypeParser(20, (v) => Number(v));

export interface PostgresOptions {
  connectionString: string;
  /** Run in a schema of its own (tests use one per run so they never collide). */
  schema?: string;
  poolSize?: number;
}

type Row = Record<string, unknown>;

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly schema?: string;

  constructor(options: PostgresOptions) {
    this.schema = options.schema;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      options: options.schema ? `-c search_path=${options.schema}` : undefined,
    });
    // An idle client's error (e.g. the server restarting) must not crash the process.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // One node migrates at a time; the others wait on the advisory lock and then see it done.
      await client.query('SELECT pg_advisory_lock(4545)');
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
      await client.query('SELECT pg_advisory_unlock(4545)').catch(() => undefined);
      client.release();
    }
  }

  async close(): Promise<void> {
    // Idempotent, like the SQLite adapter's: closing Kassa and then its test schema must not throw.
    if (!this.pool.ended) await this.pool.end();
  }

  private async one(sql: string, args: unknown[]): Promise<Row | undefined> {
    return (await this.pool.query(sql, args)).rows[0];
  }

  private async all(sql: string, args: unknown[]): Promise<Row[]> {
    return (await this.pool.query(sql, args)).rows;
  }

  async createAccount(a: AccountRecord): Promise<void> {
    try {
      await this.pool.query(
        'INSERT INTO accounts (id, username, secret_hash, created_at, clock_offset_ms, is_default) VALUES ($1, $2, $3, $4, $5, $6)',
        [a.id, a.username, a.secretHash, a.createdAt, a.clockOffsetMs, a.isDefault],
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new DuplicateKey('aggregate', `account ${a.username} exists`);
      throw e;
    }
  }

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    return toAccount(await this.one('SELECT * FROM accounts WHERE id = $1', [id]));
  }

  async getAccountByUsername(username: string): Promise<AccountRecord | undefined> {
    return toAccount(await this.one('SELECT * FROM accounts WHERE username = $1', [username]));
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (await this.all('SELECT * FROM accounts ORDER BY created_at, id', [])).map((r) => toAccount(r)!);
  }

  async setClockOffset(accountId: string, expected: number, next: number): Promise<boolean> {
    const r = await this.pool.query('UPDATE accounts SET clock_offset_ms = $1 WHERE id = $2 AND clock_offset_ms = $3', [next, accountId, expected]);
    return r.rowCount === 1;
  }

  async getAggregate<T>(accountId: string, type: string, id: string): Promise<AggregateRecord<T> | undefined> {
    return toAggregate<T>(await this.one('SELECT * FROM aggregates WHERE account_id = $1 AND type = $2 AND id = $3', [accountId, type, id]));
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
    const r = await this.one('SELECT * FROM lookup_keys WHERE kind = $1 AND key = $2', [kind, key]);
    return r ? { kind: r.kind as string, key: r.key as string, accountId: r.account_id as string, type: r.type as string, id: r.id as string } : undefined;
  }

  async listEvents(accountId: string, aggregateType: string, aggregateId: string): Promise<EventRecord[]> {
    return (await this.all('SELECT * FROM events WHERE account_id = $1 AND aggregate_type = $2 AND aggregate_id = $3 ORDER BY seq', [accountId, aggregateType, aggregateId])).map(toEvent);
  }

  async commit(batch: CommitBatch): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await applyBatch(client, batch);
      const committing = performance.now();
      await client.query('COMMIT');
      observeDurableSync('postgres', (performance.now() - committing) / 1000);
      observeCommitGroup('postgres', 1);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A deadlock or serialization failure is a lost race like any other: the engine retries.
      const code = (e as { code?: string }).code;
      if (code === '40P01' || code === '40001') throw new ConcurrencyConflict(`commit aborted (${code})`);
      throw e;
    } finally {
      client.release();
    }
  }

  async dueTimers(accountId: string, now: number, limit: number): Promise<TimerRecord[]> {
    return (await this.all('SELECT * FROM timers WHERE account_id = $1 AND due_at <= $2 ORDER BY due_at, id LIMIT $3', [accountId, now, limit])).map(toTimer);
  }

  async getTimer(id: string): Promise<TimerRecord | undefined> {
    const r = await this.one('SELECT * FROM timers WHERE id = $1', [id]);
    return r ? toTimer(r) : undefined;
  }

  async countTimers(accountId: string): Promise<number> {
    return Number((await this.one('SELECT COUNT(*) AS n FROM timers WHERE account_id = $1', [accountId]))!.n);
  }

  async claimOutbox(accountId: string, accountNow: number, limit: number, lease: { realNow: number; leaseMs: number }): Promise<OutboxRecord[]> {
    const rows = await this.all(
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
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO delivery_attempts (outbox_id, attempt, at, status_code, error, latency_ms) VALUES ($1, $2, $3, $4, $5, $6)', [
        a.outboxId, a.attempt, a.at, a.statusCode, a.error, a.latencyMs,
      ]);
      await client.query('UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, lease_until = 0 WHERE id = $4', [next.status, a.attempt, next.nextAttemptAt, a.outboxId]);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async listAttempts(outboxId: string): Promise<DeliveryAttempt[]> {
    return (await this.all('SELECT * FROM delivery_attempts WHERE outbox_id = $1 ORDER BY attempt', [outboxId])).map(toAttempt);
  }

  async requeueOutbox(id: string, nextAttemptAt: number): Promise<boolean> {
    return (await this.pool.query("UPDATE outbox SET status = 'pending', next_attempt_at = $1, lease_until = 0 WHERE id = $2", [nextAttemptAt, id])).rowCount === 1;
  }

  async getOrCreateSetting(key: string, value: string): Promise<string> {
    await this.pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await this.one('SELECT value FROM settings WHERE key = $1', [key]))!.value as string;
  }

  async getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const r = await this.one('SELECT * FROM idempotency WHERE account_id = $1 AND key = $2', [accountId, key]);
    return r ? toIdempotency(r) : undefined;
  }

  async purgeIdempotency(createdBefore: number): Promise<number> {
    return (await this.pool.query('DELETE FROM idempotency WHERE created_at < $1', [createdBefore])).rowCount ?? 0;
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

  /** One multi-row INSERT, then each account touched is pruned to its newest entries (bounded by what was added). */
  async appendRequestLog(entries: RequestLogWrite[]): Promise<void> {
    if (entries.length === 0) return;
    const columns = 12;
    const args: unknown[] = [];
    const rows = entries.map((e, i) => {
      args.push(e.id, e.accountId, e.at, e.method, e.path, e.route, e.statusCode, e.durationMs, e.correlationId, e.idempotencyKey ?? null, e.requestBody ?? null, e.responseBody ?? null);
      return `(${Array.from({ length: columns }, (_, c) => `$${i * columns + c + 1}`).join(', ')})`;
    });
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO request_log (id, account_id, at, method, path, route, status_code, duration_ms, correlation_id, idempotency_key, request_body, response_body) VALUES ${rows.join(', ')}`,
        args,
      );
      for (const accountId of new Set(entries.map((e) => e.accountId))) {
        await client.query(
          'DELETE FROM request_log WHERE account_id = $1 AND (at, id) <= (SELECT at, id FROM request_log WHERE account_id = $1 ORDER BY at DESC, id DESC LIMIT 1 OFFSET $2)',
          [accountId, limits.requestLogPerAccountMax],
        );
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
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

async function applyBatch(client: pg.PoolClient, batch: CommitBatch): Promise<void> {
  if (batch.idempotency) {
    const i = batch.idempotency;
    try {
      await client.query('INSERT INTO idempotency (account_id, key, scope, status_code, headers, body, created_at, request_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        i.accountId, i.key, i.scope, i.statusCode, JSON.stringify(i.headers), i.body, i.createdAt, i.requestHash ?? null,
      ]);
    } catch (e) {
      if (isUniqueViolation(e)) throw new DuplicateKey('idempotency', 'idempotency key already used');
      throw e;
    }
  }
  if (batch.clockMove) {
    const m = batch.clockMove;
    const moved = await client.query('UPDATE accounts SET clock_offset_ms = $1 WHERE id = $2 AND clock_offset_ms = $3', [m.newOffsetMs, m.accountId, m.expectedOffsetMs]);
    if (moved.rowCount !== 1) throw new ConcurrencyConflict(`clock of ${m.accountId} moved concurrently`);
  }
  for (const t of batch.timersRemove ?? []) {
    const r = await client.query('DELETE FROM timers WHERE id = $1', [t.id]);
    if (t.mustExist && r.rowCount !== 1) throw new ConcurrencyConflict(`timer ${t.id} already fired`);
  }
  for (const a of batch.aggregates ?? []) {
    const json = JSON.stringify(a.state);
    if (a.expectedVersion === 0) {
      const r = await client.query(
        'INSERT INTO aggregates (account_id, type, id, version, state, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $5, $5) ON CONFLICT DO NOTHING',
        [a.accountId, a.type, a.id, json, a.now],
      );
      if (r.rowCount !== 1) throw new ConcurrencyConflict(`${a.type} ${a.id} was created concurrently`);
    } else {
      const r = await client.query('UPDATE aggregates SET version = version + 1, state = $1, updated_at = $2 WHERE account_id = $3 AND type = $4 AND id = $5 AND version = $6', [
        json, a.now, a.accountId, a.type, a.id, a.expectedVersion,
      ]);
      if (r.rowCount !== 1) throw new ConcurrencyConflict(`${a.type} ${a.id} changed since version ${a.expectedVersion}`);
    }
  }
  for (const k of batch.lookupKeys ?? []) {
    const r = await client.query('INSERT INTO lookup_keys (kind, key, account_id, type, id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [k.kind, k.key, k.accountId, k.type, k.id]);
    if (r.rowCount !== 1) throw new DuplicateKey('lookup', `${k.kind} key exists`);
  }
  for (const e of batch.events ?? []) {
    await client.query('INSERT INTO events (account_id, aggregate_type, aggregate_id, type, data, occurred_at, correlation_id) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      e.accountId, e.aggregateType, e.aggregateId, e.type, JSON.stringify(e.data), e.occurredAt, e.correlationId ?? null,
    ]);
  }
  for (const o of batch.outbox ?? []) {
    await client.query(
      'INSERT INTO outbox (id, account_id, kind, event_id, event_type, url, headers, body, next_attempt_at, created_at, ref) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
      [o.id, o.accountId, o.kind, o.eventId, o.eventType, o.url, JSON.stringify(o.headers), o.body, o.nextAttemptAt, o.createdAt, o.ref ?? null],
    );
  }
  for (const t of batch.timersAdd ?? []) {
    await client.query('INSERT INTO timers (id, account_id, due_at, kind, aggregate_type, aggregate_id, payload) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      t.id, t.accountId, t.dueAt, t.kind, t.aggregateType, t.aggregateId, JSON.stringify(t.payload),
    ]);
  }
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string }).code === '23505';
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name ${name}`);
  return `"${name}"`;
}
