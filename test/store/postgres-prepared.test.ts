/**
 * The hot statements are named prepared statements (src/store/postgres/prepared.ts), kept on each
 * pooled connection. During a rolling upgrade another node's migration may add a column to a table
 * they read: a prepared `SELECT *` would then fail on every such connection ("cached plan must not
 * change result type"). Listed columns keep working; this proves it for each prepared read and for
 * the group commit.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { statements } from '../../src/store/postgres/prepared.js';
import { openTestPostgres, postgresAvailable, testDatabaseUrl } from '../support/postgres.js';

describe.skipIf(!(await postgresAvailable()))('postgres prepared statements', () => {
  let store: PostgresStore;
  let schema: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ store, schema, drop } = await openTestPostgres());
    await store.createAccount({ id: 'acc-p', username: 'user-p', secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false });
  });
  afterAll(async () => drop());

  /** Every prepared read and a commit, on whichever pooled connections they get. */
  async function useEveryStatement(round: number): Promise<void> {
    await store.commit({
      aggregates: [{ accountId: 'acc-p', type: 'doc', id: `d${round}`, expectedVersion: 0, state: { round }, now: 1 }],
      lookupKeys: [{ kind: 'ref', key: `k${round}`, accountId: 'acc-p', type: 'doc', id: `d${round}` }],
      timersAdd: [{ id: `t${round}`, accountId: 'acc-p', dueAt: 5, kind: 'k', aggregateType: 'doc', aggregateId: `d${round}`, payload: {} }],
    });
    // Alone (the one-key statement), then two in one turn (the read batcher's many-keys statement).
    expect((await store.getAccount('acc-p'))?.username).toBe('user-p');
    const accounts = await Promise.all([store.getAccount('acc-p'), store.getAccount('nobody')]);
    expect(accounts.map((a) => a?.username)).toEqual(['user-p', undefined]);
    expect((await store.getAggregate('acc-p', 'doc', `d${round}`))?.state).toEqual({ round });
    const both = await Promise.all([store.getAggregate('acc-p', 'doc', 'd0'), store.getAggregate('acc-p', 'doc', `d${round}`)]);
    expect(both.map((a) => a?.version)).toEqual([1, 1]);
    expect((await store.getTimer(`t${round}`))?.dueAt).toBe(5);
    expect((await store.dueTimers('acc-p', 10, 10)).length).toBe(round + 1);
    expect((await store.findLookup('ref', `k${round}`))?.id).toBe(`d${round}`);
  }

  it('keeps working on connections that prepared them after a migration adds columns to their tables', async () => {
    await useEveryStatement(0);
    const other = new pg.Client({ connectionString: testDatabaseUrl, options: `-c search_path=${schema}` });
    await other.connect();
    try {
      for (const table of ['accounts', 'aggregates', 'timers', 'lookup_keys']) await other.query(`ALTER TABLE ${table} ADD COLUMN added_later TEXT`);
    } finally {
      await other.end();
    }
    await useEveryStatement(1);
  });

  it('names every statement once', () => {
    const names = Object.values(statements).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of Object.values(statements)) expect(s.text).not.toMatch(/\*/);
  });
});
