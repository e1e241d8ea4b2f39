/**
 * PostgreSQL group commit (postgres-store.ts, migration 005): the commits that arrive together
 * travel as one statement, one transaction, one WAL flush, and still each keep their own outcome.
 * The shared behaviour (a failed batch rolls back only itself) is in group-commit.test.ts; this file
 * checks what is PostgreSQL's own: how many transactions carried the batches, that documents and
 * messages survive the trip through JSON byte for byte, and what a failed batch leaves (nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../src/domain/limits.js';
import { ConcurrencyConflict, type AccountRecord } from '../../src/store/port.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openTestPostgres, postgresAvailable } from '../support/postgres.js';

const account: AccountRecord = { id: 'acc-g', username: 'grace', secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false };
const agg = (id: string, expectedVersion: number, state: unknown) => ({ accountId: 'acc-g', type: 'counter', id, expectedVersion, state, now: 7 });

describe.skipIf(!(await postgresAvailable()))('postgres group commit', () => {
  let store: PostgresStore;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ store, drop } = await openTestPostgres());
    await store.createAccount(account);
  });
  afterAll(async () => drop());

  it('writes the commits that arrive together in one transaction', async () => {
    const before = { ...store.groupCommitStats };
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.commit({ aggregates: [agg(`g${i}`, 0, { i })] })));
    expect(store.groupCommitStats.transactions - before.transactions).toBe(1);
    expect(store.groupCommitStats.batches - before.batches).toBe(40);
  });

  it('stores documents, events, outbox rows and timers byte for byte, events in batch order', async () => {
    const state = { text: 'å "quoted" \\ \u0000-free \n', n: 1.5, nested: { b: [1, 2], a: null } };
    const headers = { 'x-b': '2', 'x-a': '1' };
    await Promise.all([
      store.commit({
        aggregates: [agg('doc', 0, state)],
        events: [1, 2, 3].map((n) => ({ accountId: 'acc-g', aggregateType: 'counter', aggregateId: 'doc', type: `e${n}`, data: { n }, occurredAt: 9 })),
        outbox: [{ id: 'o1', accountId: 'acc-g', kind: 'webhook', eventId: 'ev1', eventType: 't', url: 'http://127.0.0.1:9/x', headers, body: '{"b":1,  "a":2}', nextAttemptAt: 3, createdAt: 3 }],
        timersAdd: [{ id: 'tm1', accountId: 'acc-g', dueAt: 50, kind: 'k', aggregateType: 'counter', aggregateId: 'doc', payload: { z: 1, a: 2 } }],
      }),
      store.commit({ events: [{ accountId: 'acc-g', aggregateType: 'counter', aggregateId: 'doc', type: 'e4', data: {}, occurredAt: 9 }] }),
    ]);
    expect((await store.getAggregate('acc-g', 'counter', 'doc'))?.state).toEqual(state);
    expect((await store.listEvents('acc-g', 'counter', 'doc')).map((e) => e.type)).toEqual(['e1', 'e2', 'e3', 'e4']);
    const row = await store.getOutbox('o1');
    expect(row).toMatchObject({ status: 'pending', attempts: 0, body: '{"b":1,  "a":2}', headers });
    expect(Object.keys(row!.headers)).toEqual(['x-b', 'x-a']);
    expect((await store.getTimer('tm1'))?.payload).toEqual({ z: 1, a: 2 });
  });

  it('rolls back a failed batch to its savepoint inside the shared transaction', async () => {
    await store.commit({ aggregates: [agg('v', 0, { n: 0 })] });
    const outcomes = await Promise.allSettled([
      store.commit({ aggregates: [agg('v', 1, { n: 1 })] }),
      store.commit({ aggregates: [agg('w', 0, {})], timersAdd: [{ id: 'tm-lost', accountId: 'acc-g', dueAt: 1, kind: 'k', aggregateType: 'counter', aggregateId: 'w', payload: {} }], timersRemove: [{ id: 'nope', mustExist: true }] }),
      store.commit({ aggregates: [agg('v', 1, { n: 'late' })] }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyConflict);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyConflict);
    expect(await store.getAggregate('acc-g', 'counter', 'w')).toBeUndefined();
    expect(await store.getTimer('tm-lost')).toBeUndefined();
    expect(await store.getAggregate('acc-g', 'counter', 'v')).toMatchObject({ version: 2, state: { n: 1 } });
  });

  it('fails only the batch that cannot be serialised, not the group it would have joined', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const outcomes = await Promise.allSettled([store.commit({ aggregates: [agg('cyc', 0, cyclic)] }), store.commit({ aggregates: [agg('fine', 0, {})] })]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled']);
    expect(await store.getAggregate('acc-g', 'counter', 'cyc')).toBeUndefined();
    expect(await store.getAggregate('acc-g', 'counter', 'fine')).toBeDefined();
  });

  it('fails only the batch whose plain text cannot be stored (U+0000, a lone surrogate); documents keep theirs', async () => {
    const outbox = (id: string, url: string) => ({ id, accountId: 'acc-g', kind: 'webhook', eventId: id, eventType: 't', url, headers: {}, body: '{}', nextAttemptAt: 1, createdAt: 1 });
    const outcomes = await Promise.allSettled([
      store.commit({ outbox: [outbox('nul', 'http://127.0.0.1:9/a\u0000b')] }),
      store.commit({ outbox: [outbox('surrogate', 'http://127.0.0.1:9/\ud800')] }),
      store.commit({ aggregates: [agg('odd', 0, { nul: 'a\u0000b', lone: '\udc00', pair: '😀', text: '\\u0000' })] }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(await store.getOutbox('nul')).toBeUndefined();
    expect((await store.getAggregate('acc-g', 'counter', 'odd'))?.state).toEqual({ nul: 'a\u0000b', lone: '\udc00', pair: '😀', text: '\\u0000' });
  });

  it(`puts at most limits.postgresGroupBatchesMax (${limits.postgresGroupBatchesMax}) batches in one group`, async () => {
    const before = { ...store.groupCommitStats };
    const n = limits.postgresGroupBatchesMax + 1;
    await Promise.all(Array.from({ length: n }, (_, i) => store.commit({ aggregates: [agg(`max${i}`, 0, {})] })));
    expect(store.groupCommitStats.transactions - before.transactions).toBe(2);
    expect(store.groupCommitStats.batches - before.batches).toBe(n);
    expect(store.groupCommitStats.largestGroup).toBe(limits.postgresGroupBatchesMax);
  });

  it(`keeps at most limits.postgresGroupsInFlightMax (${limits.postgresGroupsInFlightMax}) groups on their way; later commits wait and join one group`, async () => {
    await store.commit({ aggregates: [agg('hot', 0, { n: 0 })] });
    // Another connection holds the row: every group that touches it waits in PostgreSQL.
    const holder = await store.pool.connect();
    await holder.query('BEGIN');
    await holder.query("SELECT * FROM aggregates WHERE account_id = 'acc-g' AND type = 'counter' AND id = 'hot' FOR UPDATE");
    let inFlight = 0;
    let most = 0;
    const query = store.pool.query.bind(store.pool) as (...args: unknown[]) => Promise<unknown>;
    const pool = store.pool as unknown as { query: (...args: unknown[]) => Promise<unknown> };
    pool.query = (...args: unknown[]) => {
      // The statement is text or a named prepared statement ({ name, text, values }).
      if (!JSON.stringify(args[0]).includes('kassa_commit_group')) return query(...args);
      most = Math.max(most, ++inFlight);
      return query(...args).finally(() => inFlight--);
    };
    try {
      const before = { ...store.groupCommitStats };
      const turns = limits.postgresGroupsInFlightMax + 3;
      const commits: Promise<void>[] = [];
      for (let turn = 0; turn < turns; turn++) {
        // One commit per turn of the event loop (a group each, while there is room).
        commits.push(store.commit({ aggregates: [agg('hot', 1, { turn })] }).catch(() => undefined));
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(inFlight).toBe(limits.postgresGroupsInFlightMax);
      await holder.query('COMMIT');
      await Promise.all(commits);
      expect(most).toBe(limits.postgresGroupsInFlightMax);
      // The three that waited left together, as one group.
      expect(store.groupCommitStats.transactions - before.transactions).toBe(limits.postgresGroupsInFlightMax + 1);
      expect(await store.getAggregate('acc-g', 'counter', 'hot')).toMatchObject({ version: 2 });
    } finally {
      pool.query = query;
      holder.release();
    }
  });
});
