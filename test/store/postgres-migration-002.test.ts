/** PostgreSQL migration 002 adds the request hash to idempotency records; rows written before keep none. */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { postgresAvailable, testDatabaseUrl, uniqueSchema } from '../support/postgres.js';

const available = await postgresAvailable();

describe.skipIf(!available)('postgres migration 002 (skipped when no server is reachable)', () => {
  it('upgrades a 001 schema: old idempotency records keep no hash and still load', async () => {
    const schema = uniqueSchema('kassa_mig2');
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA "${schema}"`);
      await admin.query(`SET search_path TO "${schema}"`);
      await admin.query(readFileSync(new URL('../../src/store/postgres/migrations/001_init.sql', import.meta.url), 'utf8'));
      await admin.query("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO schema_migrations VALUES (1, '001_init.sql')");
      await admin.query("INSERT INTO accounts (id, username, secret_hash, created_at) VALUES ('a', 'alice', 'x', 0)");
      await admin.query(`INSERT INTO idempotency (account_id, key, scope, status_code, headers, body, created_at) VALUES ('a', 'k', 'POST /x', 201, '{}', '{"ok":1}', 5)`);

      const store = new PostgresStore({ connectionString: testDatabaseUrl, schema });
      await store.migrate();
      const before = await store.getIdempotency('a', 'k');
      expect(before).toMatchObject({ scope: 'POST /x', statusCode: 201, body: '{"ok":1}' });
      expect(before).not.toHaveProperty('requestHash');
      await store.commit({ idempotency: { accountId: 'a', key: 'k2', scope: 'POST /x', requestHash: 'h', statusCode: 200, headers: {}, body: '', createdAt: 6 } });
      expect((await store.getIdempotency('a', 'k2'))?.requestHash).toBe('h');
      await store.close();
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
