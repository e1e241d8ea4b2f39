/** Migration 003 adds the request hash to idempotency records; rows written before keep none. */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const migration = (name: string) => readFileSync(new URL(`../../src/store/sqlite/migrations/${name}`, import.meta.url), 'utf8');

it('upgrades a 002 database: old idempotency records keep no hash, new ones store theirs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-mig3-'));
  const path = join(dir, 'kassa.db');
  const old = new Database(path);
  old.exec(migration('001_init.sql'));
  old.exec(migration('002_rowid_documents.sql'));
  old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO schema_migrations VALUES (1, '001_init.sql'), (2, '002_rowid_documents.sql')");
  old.exec("INSERT INTO accounts (id, username, secret_hash, created_at) VALUES ('a', 'alice', 'x', 0)");
  old.exec(`INSERT INTO idempotency (account_id, key, scope, status_code, headers, body, created_at) VALUES ('a', 'k', 'POST /x', 201, '{}', '{"ok":1}', 5)`);
  old.close();

  const store = new SqliteStore({ path });
  const before = await store.getIdempotency('a', 'k');
  expect(before).toMatchObject({ scope: 'POST /x', statusCode: 201, body: '{"ok":1}' });
  expect(before).not.toHaveProperty('requestHash');
  await store.commit({ idempotency: { accountId: 'a', key: 'k2', scope: 'POST /x', requestHash: 'h', statusCode: 200, headers: {}, body: '', createdAt: 6 } });
  expect((await store.getIdempotency('a', 'k2'))?.requestHash).toBe('h');
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
