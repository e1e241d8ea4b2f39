/**
 * PostgreSQL for tests: each test file gets a schema of its own, dropped afterwards.
 * KASSA_TEST_DATABASE_URL overrides the default local server. When CI=true the PostgreSQL tests
 * must run: an unreachable server fails them instead of skipping. Outside CI they skip, and the
 * run says so once (test/support/global-setup.ts).
 */
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';

export const testDatabaseUrl = process.env.KASSA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: boolean | undefined;

/** Why `url` cannot be used (one line), or undefined when a query there works. */
export async function postgresUnreachable(url = testDatabaseUrl): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function postgresAvailable(): Promise<boolean> {
  if (reachable !== undefined) return reachable;
  const problem = await postgresUnreachable();
  if (problem !== undefined && process.env.CI === 'true') throw new Error(`PostgreSQL tests must run in CI but ${testDatabaseUrl} is unreachable: ${problem}`);
  reachable = problem === undefined;
  return reachable;
}

export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function openTestPostgres(): Promise<{ store: PostgresStore; schema: string; drop(): Promise<void> }> {
  const schema = uniqueSchema('kassa');
  const store = new PostgresStore({ connectionString: testDatabaseUrl, schema, poolSize: 8 });
  await store.migrate();
  return {
    store,
    schema,
    async drop() {
      await store.close();
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}
