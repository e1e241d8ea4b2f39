/** Migration 002 moves documents and events to rowid tables without losing or renumbering anything. */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DuplicateKey, ConcurrencyConflict } from '../../src/store/port.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

it('upgrades a 001 database in place, keeping aggregates, events and idempotency records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-mig-'));
  const path = join(dir, 'kassa.db');
  const old = new Database(path);
  old.exec(readFileSync(new URL('../../src/store/sqlite/migrations/001_init.sql', import.meta.url), 'utf8'));
  old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO schema_migrations VALUES (1, '001_init.sql')");
  old.exec("INSERT INTO accounts (id, username, secret_hash, created_at) VALUES ('a', 'alice', 'x', 0)");
  old.exec(`INSERT INTO aggregates VALUES ('a', 'order', 'o1', 3, '{"n":3}', 1, 2)`);
  old.exec(`INSERT INTO events (account_id, aggregate_type, aggregate_id, type, data, occurred_at) VALUES ('a', 'order', 'o1', 'made', '{}', 1), ('a', 'order', 'o1', 'changed', '{}', 2)`);
  old.exec(`INSERT INTO idempotency VALUES ('a', 'k', 'POST /x', 201, '{}', '{"ok":1}', 5)`);
  old.close();

  const store = new SqliteStore({ path });
  expect(await store.getAggregate('a', 'order', 'o1')).toMatchObject({ version: 3, state: { n: 3 }, createdAt: 1, updatedAt: 2 });
  expect(await store.getIdempotency('a', 'k')).toMatchObject({ statusCode: 201, body: '{"ok":1}' });
  await store.commit({ aggregates: [{ accountId: 'a', type: 'order', id: 'o1', expectedVersion: 3, state: { n: 4 }, now: 3 }], events: [{ accountId: 'a', aggregateType: 'order', aggregateId: 'o1', type: 'again', data: {}, occurredAt: 3 }] });
  expect((await store.listEvents('a', 'order', 'o1')).map((e) => [e.seq, e.type])).toEqual([[1, 'made'], [2, 'changed'], [3, 'again']]);
  // The unique keys still hold.
  await expect(store.commit({ aggregates: [{ accountId: 'a', type: 'order', id: 'o1', expectedVersion: 0, state: {}, now: 3 }] })).rejects.toBeInstanceOf(ConcurrencyConflict);
  await expect(store.commit({ idempotency: { accountId: 'a', key: 'k', scope: 'POST /x', statusCode: 200, headers: {}, body: '', createdAt: 6 } })).rejects.toBeInstanceOf(DuplicateKey);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
