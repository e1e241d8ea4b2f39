/**
 * Reads a Kassa store from the outside (the harness's view of the database, not the API's): every
 * table generically (so tables added later are covered), plus typed helpers for aggregates,
 * events, timers and outbox rows. Used to snapshot state around rejected requests, to check money
 * invariants on every order, and by the crash harness between a kill and the restart.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import pg from 'pg';

export interface ProbeRow {
  [column: string]: unknown;
}

export interface StoreProbe {
  readonly kind: 'sqlite' | 'postgres';
  tables(): Promise<string[]>;
  rows(table: string): Promise<ProbeRow[]>;
  query(sql: string, args?: unknown[]): Promise<ProbeRow[]>;
  close(): Promise<void>;
}

export function sqliteProbe(db: Database.Database): StoreProbe {
  return {
    kind: 'sqlite',
    async tables() {
      return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    },
    async rows(table) {
      return db.prepare(`SELECT * FROM "${table.replaceAll('"', '')}"`).all() as ProbeRow[];
    },
    async query(sql, args = []) {
      return db.prepare(sql.replace(/\$\d+/g, '?')).all(...args) as ProbeRow[];
    },
    async close() {},
  };
}

/** Opens a SQLite data file the harness does not otherwise own (read-only while Kassa runs). */
export function openSqliteFile(path: string, options: { readonly?: boolean } = {}): StoreProbe & { db: Database.Database } {
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const probe = sqliteProbe(db);
  return {
    ...probe,
    db,
    close: async () => {
      db.close();
    },
  };
}

/**
 * A PostgreSQL probe whose every read sees one snapshot: one connection, one REPEATABLE READ
 * READ ONLY transaction, ended by close(). Needed while other Kassa nodes keep writing (the
 * several-nodes crash harness): without it, a session read before a survivor fires its expiry
 * timer and the timers read after would look like a session that lost its timer.
 */
export function postgresSnapshotProbe(connectionString: string): StoreProbe {
  const client = new pg.Client({ connectionString });
  client.on('error', () => undefined);
  let begun: Promise<unknown> | undefined;
  const q = async (sql: string, args: unknown[] = []) => {
    begun ??= client.connect().then(() => client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'));
    await begun;
    return (await client.query(sql, args)).rows as ProbeRow[];
  };
  return {
    kind: 'postgres',
    async tables() {
      return (await q("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")).map((x) => x.name as string);
    },
    rows: (table) => q(`SELECT * FROM "${table.replaceAll('"', '')}"`),
    query: (sql, args) => q(sql, args),
    async close() {
      if (begun) await begun.then(() => client.query('COMMIT')).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

export function postgresProbe(connectionString: string, schema?: string): StoreProbe {
  const pool = new pg.Pool({ connectionString, max: 2, options: schema ? `-c search_path=${schema}` : undefined });
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    async tables() {
      const r = await pool.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1");
      return r.rows.map((x) => x.name as string);
    },
    async rows(table) {
      return (await pool.query(`SELECT * FROM "${table.replaceAll('"', '')}"`)).rows;
    },
    async query(sql, args = []) {
      return (await pool.query(sql, args)).rows;
    },
    async close() {
      await pool.end();
    },
  };
}

/** A hash of every row of every table: equal digests mean nothing was written. */
export async function digest(probe: StoreProbe, skipTables: string[] = []): Promise<string> {
  const h = createHash('sha256');
  for (const table of await probe.tables()) {
    if (skipTables.includes(table)) continue;
    const rows = (await probe.rows(table)).map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? String(v) : v))).sort();
    h.update(`${table}\u0000${rows.length}\u0000`);
    for (const r of rows) h.update(r).update('\u0001');
  }
  return h.digest('hex');
}

/** Per-table row digests, to say *what* changed when a digest differs. */
export async function tableDigests(probe: StoreProbe): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of await probe.tables()) {
    const rows = (await probe.rows(table)).map((r) => JSON.stringify(r)).sort();
    out[table] = `${rows.length}:${createHash('sha256').update(rows.join('\u0001')).digest('hex').slice(0, 12)}`;
  }
  return out;
}

export interface AggregateRow<T = any> {
  accountId: string;
  type: string;
  id: string;
  version: number;
  state: T;
}

export async function aggregates<T = any>(probe: StoreProbe, type: string): Promise<AggregateRow<T>[]> {
  const rows = await probe.query('SELECT account_id, type, id, version, state FROM aggregates WHERE type = $1', [type]);
  return rows.map((r) => ({ accountId: String(r.account_id), type: String(r.type), id: String(r.id), version: Number(r.version), state: JSON.parse(String(r.state)) as T }));
}

export interface EventRow {
  seq: number;
  accountId: string;
  aggregateType: string;
  aggregateId: string;
  type: string;
  data: any;
  occurredAt: number;
}

/** Every event, or only those stamped at one of `occurredAt` (filtered by the database). */
export async function events(probe: StoreProbe, occurredAt?: number[]): Promise<EventRow[]> {
  const rows = occurredAt
    ? occurredAt.length
      ? await probe.query(`SELECT * FROM events WHERE occurred_at IN (${occurredAt.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY seq`, occurredAt)
      : []
    : await probe.query('SELECT * FROM events ORDER BY seq');
  return rows.map((r) => ({
    seq: Number(r.seq),
    accountId: String(r.account_id),
    aggregateType: String(r.aggregate_type),
    aggregateId: String(r.aggregate_id),
    type: String(r.type),
    data: JSON.parse(String(r.data)),
    occurredAt: Number(r.occurred_at),
  }));
}

export interface TimerRow {
  id: string;
  accountId: string;
  dueAt: number;
  kind: string;
  aggregateType: string;
  aggregateId: string;
}

export async function timers(probe: StoreProbe): Promise<TimerRow[]> {
  const rows = await probe.query('SELECT id, account_id, due_at, kind, aggregate_type, aggregate_id FROM timers');
  return rows.map((r) => ({ id: String(r.id), accountId: String(r.account_id), dueAt: Number(r.due_at), kind: String(r.kind), aggregateType: String(r.aggregate_type), aggregateId: String(r.aggregate_id) }));
}

export interface OutboxRow {
  id: string;
  accountId: string;
  kind: string;
  eventId: string;
  eventType: string;
  url: string;
  body: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  /** System-clock ms until which a dispatcher holds the row (0: nobody). */
  leaseUntil: number;
}

export async function outbox(probe: StoreProbe): Promise<OutboxRow[]> {
  const rows = await probe.query('SELECT id, account_id, kind, event_id, event_type, url, body, status, attempts, next_attempt_at, lease_until FROM outbox');
  return rows.map((r) => ({
    id: String(r.id),
    accountId: String(r.account_id),
    kind: String(r.kind),
    eventId: String(r.event_id),
    eventType: String(r.event_type),
    url: String(r.url),
    body: String(r.body),
    status: String(r.status),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    leaseUntil: Number(r.lease_until),
  }));
}

export async function accountOffsets(probe: StoreProbe): Promise<Map<string, number>> {
  const rows = await probe.query('SELECT id, clock_offset_ms FROM accounts');
  return new Map(rows.map((r) => [String(r.id), Number(r.clock_offset_ms)]));
}
