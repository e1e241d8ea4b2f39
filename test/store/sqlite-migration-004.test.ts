/**
 * Migration 004 (request log, events' correlation id) upgrades a database in place. The runner
 * applies every migration not yet recorded, so a database at 002 takes 003 and 004 in turn (and
 * one that had 004 before 003 existed, as a development copy could, takes 003 on its next start).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readMigrations } from '../../src/store/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const migrationsDir = new URL('../../src/store/sqlite/migrations/', import.meta.url);

it('upgrades a 002 database in place: old events keep no correlation id, new ones carry theirs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-mig4-'));
  const path = join(dir, 'kassa.db');
  const old = new Database(path);
  for (const name of ['001_init.sql', '002_rowid_documents.sql']) old.exec(readFileSync(new URL(name, migrationsDir), 'utf8'));
  old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO schema_migrations VALUES (1, '001_init.sql'), (2, '002_rowid_documents.sql')");
  old.exec("INSERT INTO accounts (id, username, secret_hash, created_at) VALUES ('a', 'alice', 'x', 0)");
  old.exec(`INSERT INTO events (account_id, aggregate_type, aggregate_id, type, data, occurred_at) VALUES ('a', 'order', 'o1', 'made', '{}', 1)`);
  old.close();

  const store = new SqliteStore({ path });
  await store.commit({ events: [{ accountId: 'a', aggregateType: 'order', aggregateId: 'o1', type: 'changed', data: {}, occurredAt: 2, correlationId: 'c2' }] });
  expect((await store.listEvents('a', 'order', 'o1')).map((e) => [e.type, e.correlationId])).toEqual([
    ['made', undefined],
    ['changed', 'c2'],
  ]);
  const applied = store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
  expect(applied.map((r) => r.version)).toEqual(readMigrations(join(migrationsDir.pathname)).map((m) => m.version));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
