/**
 * PostgreSQL read batching (read-batcher.ts): the account and aggregate reads of one event-loop
 * turn go out as one statement, each caller still gets exactly its own row (or nothing), and a
 * read issued after a commit resolved sees that commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../src/store/port.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openTestPostgres, postgresAvailable } from '../support/postgres.js';

const accounts: AccountRecord[] = ['a', 'b', 'c'].map((x) => ({ id: `acc-${x}`, username: `user-${x}`, secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false }));

describe.skipIf(!(await postgresAvailable()))('postgres read batching', () => {
  let store: PostgresStore;
  let drop: () => Promise<void>;
  let statements: string[];
  beforeAll(async () => {
    ({ store, drop } = await openTestPostgres());
    for (const a of accounts) await store.createAccount(a);
    for (const a of accounts) for (const id of ['x', 'y']) await store.commit({ aggregates: [{ accountId: a.id, type: 'doc', id, expectedVersion: 0, state: { owner: a.id, id }, now: 1 }] });
    const query = store.pool.query.bind(store.pool) as (...args: unknown[]) => unknown;
    (store.pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => (statements.push(String(args[0])), query(...args));
  });
  afterAll(async () => drop());

  it('fetches the aggregates asked for in one turn with one statement, each to its caller', async () => {
    statements = [];
    const asks: [string, string, string][] = [
      ['acc-a', 'doc', 'x'],
      ['acc-b', 'doc', 'y'],
      ['acc-c', 'doc', 'x'],
      ['acc-a', 'doc', 'missing'],
      ['acc-b', 'other', 'x'],
      ['acc-a', 'doc', 'x'],
    ];
    const got = await Promise.all(asks.map(([a, t, i]) => store.getAggregate(a, t, i)));
    expect(statements.length).toBe(1);
    expect(got.map((g) => g?.state)).toEqual([{ owner: 'acc-a', id: 'x' }, { owner: 'acc-b', id: 'y' }, { owner: 'acc-c', id: 'x' }, undefined, undefined, { owner: 'acc-a', id: 'x' }]);
  });

  it('fetches the accounts asked for in one turn with one statement', async () => {
    statements = [];
    const got = await Promise.all(['acc-c', 'acc-a', 'nobody', 'acc-b'].map((id) => store.getAccount(id)));
    expect(statements.length).toBe(1);
    expect(got.map((a) => a?.username)).toEqual(['user-c', 'user-a', undefined, 'user-b']);
  });

  it('sees a commit once it has resolved', async () => {
    await store.commit({ aggregates: [{ accountId: 'acc-a', type: 'doc', id: 'x', expectedVersion: 1, state: { n: 2 }, now: 2 }] });
    const [a, b] = await Promise.all([store.getAggregate('acc-a', 'doc', 'x'), store.getAggregate('acc-b', 'doc', 'x')]);
    expect(a).toMatchObject({ version: 2, state: { n: 2 } });
    expect(b).toMatchObject({ version: 1 });
  });
});
