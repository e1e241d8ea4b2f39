/**
 * Correctness under group commit: commits that arrive together share one transaction, yet each
 * keeps its own outcome. Run against SQLite (where grouping happens) and PostgreSQL (same promises,
 * one transaction each) so the engine can rely on the same behaviour from both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/app/engine.js';
import { ManualClock, cryptoRandom } from '../../src/app/ports.js';
import { KassaError } from '../../src/domain/errors.js';
import { ConcurrencyConflict, DuplicateKey, type AccountRecord, type CommitBatch, type Store } from '../../src/store/port.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openTestPostgres, postgresAvailable } from '../support/postgres.js';

const account: AccountRecord = { id: 'acc-a', username: 'alice', secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false };
const agg = (id: string, expectedVersion: number, state: unknown) => ({ accountId: 'acc-a', type: 'counter', id, expectedVersion, state, now: 1 });

function concurrentCommitSuite(name: string, open: () => Promise<{ store: Store; drop(): Promise<void> }>): void {
  describe(`concurrent commits: ${name}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeEach(async () => {
      ({ store, drop } = await open());
      await store.createAccount(account);
    });
    afterEach(async () => drop());

    it('commits many batches issued together, each durable when its promise resolves', async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.commit({ aggregates: [agg(`c${i}`, 0, { n: i })] })));
      for (let i = 0; i < 50; i++) expect((await store.getAggregate('acc-a', 'counter', `c${i}`))?.state).toEqual({ n: i });
    });

    it('rejects only the failing batch of a group and keeps nothing of it', async () => {
      await store.commit({
        aggregates: [agg('x', 0, { n: 0 })],
        timersAdd: [{ id: 't-keep', accountId: 'acc-a', dueAt: 100, kind: 'k', aggregateType: 'counter', aggregateId: 'x', payload: {} }],
        idempotency: { accountId: 'acc-a', key: 'used', scope: 'POST /x', statusCode: 200, headers: {}, body: '{}', createdAt: 1 },
      });
      const ok1: CommitBatch = { aggregates: [agg('a', 0, { n: 1 })], events: [{ accountId: 'acc-a', aggregateType: 'counter', aggregateId: 'a', type: 'made', data: {}, occurredAt: 1 }] };
      // Deletes a timer and writes an event before its version check fails: all of it must vanish.
      const conflicting: CommitBatch = {
        timersRemove: [{ id: 't-keep', mustExist: false }],
        aggregates: [agg('b', 0, {}), agg('x', 5, { n: 99 })],
        events: [{ accountId: 'acc-a', aggregateType: 'counter', aggregateId: 'b', type: 'made', data: {}, occurredAt: 1 }],
      };
      const duplicate: CommitBatch = { aggregates: [agg('c', 0, {})], idempotency: { accountId: 'acc-a', key: 'used', scope: 'POST /x', statusCode: 201, headers: {}, body: '{}', createdAt: 2 } };
      const ok2: CommitBatch = { aggregates: [agg('x', 1, { n: 1 })] };
      const outcomes = await Promise.allSettled([store.commit(ok1), store.commit(conflicting), store.commit(duplicate), store.commit(ok2)]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyConflict);
      expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateKey);
      expect(await store.getAggregate('acc-a', 'counter', 'a')).toMatchObject({ version: 1 });
      expect((await store.listEvents('acc-a', 'counter', 'a')).length).toBe(1);
      expect(await store.getAggregate('acc-a', 'counter', 'b')).toBeUndefined();
      expect(await store.listEvents('acc-a', 'counter', 'b')).toEqual([]);
      expect(await store.getTimer('t-keep')).toBeDefined();
      expect(await store.getAggregate('acc-a', 'counter', 'c')).toBeUndefined();
      expect((await store.getIdempotency('acc-a', 'used'))?.statusCode).toBe(200);
      expect(await store.getAggregate('acc-a', 'counter', 'x')).toMatchObject({ version: 2, state: { n: 1 } });
    });

    it('lets exactly one of two same-version writes win', async () => {
      await store.commit({ aggregates: [agg('x', 0, { n: 0 })] });
      const outcomes = await Promise.allSettled([store.commit({ aggregates: [agg('x', 1, { by: 'first' })] }), store.commit({ aggregates: [agg('x', 1, { by: 'second' })] })]);
      expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBe(1);
      const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(ConcurrencyConflict);
      expect(await store.getAggregate('acc-a', 'counter', 'x')).toMatchObject({ version: 2 });
    });

    it('loses no update when many commands change one aggregate at once (engine retries the losers)', async () => {
      const engine = new Engine({ store, clock: new ManualClock(1000), random: cryptoRandom, logger: pino({ level: 'silent' }) });
      await store.commit({ aggregates: [agg('x', 0, { n: 0 })] });
      const increments = 15;
      await Promise.all(
        Array.from({ length: increments }, () =>
          engine.execute(account, 'c', async (uow) => {
            const s = await uow.load<{ n: number }>('counter', 'x');
            uow.put('counter', 'x', { n: s!.n + 1 });
          }),
        ),
      );
      expect(await store.getAggregate('acc-a', 'counter', 'x')).toMatchObject({ state: { n: increments }, version: increments + 1 });
    });

    it("never rolls back another command's writes when one command is rejected", async () => {
      const engine = new Engine({ store, clock: new ManualClock(1000), random: cryptoRandom, logger: pino({ level: 'silent' }) });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          engine.execute(account, `c${i}`, async (uow) => {
            uow.put('counter', `k${i}`, { i });
            if (i === 4) throw new KassaError('BAD_VALUE', ['Bad value: i']);
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected').length).toBe(1);
      for (let i = 0; i < 10; i++) expect(await store.getAggregate('acc-a', 'counter', `k${i}`)).toEqual(i === 4 ? undefined : expect.objectContaining({ state: { i } }));
    });
  });
}

concurrentCommitSuite('sqlite (file, synchronous=FULL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-gc-'));
  const store = new SqliteStore({ path: join(dir, 'kassa.db') });
  return { store, drop: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
});

if (await postgresAvailable()) concurrentCommitSuite('postgres', openTestPostgres);

describe('sqlite group commit', () => {
  it('writes the commits that arrive together in one transaction', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.createAccount(account);
    const before = { ...store.groupCommitStats };
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.commit({ aggregates: [agg(`g${i}`, 0, {})] })));
    expect(store.groupCommitStats.transactions - before.transactions).toBe(1);
    expect(store.groupCommitStats.batches - before.batches).toBe(40);
    await store.close();
  });

  it('writes a group without savepoints, and a group with a failing batch again batch by batch, in one transaction', async () => {
    // Counts how often each batch is applied: once in a group that goes through; in a group where one
    // fails, the fast try stops at it (and is rolled back), then every batch is applied once more.
    class CountingStore extends SqliteStore {
      applied = new Map<CommitBatch, number>();
      protected override applyBatch(batch: CommitBatch): void {
        this.applied.set(batch, (this.applied.get(batch) ?? 0) + 1);
        super.applyBatch(batch);
      }
    }
    const store = new CountingStore({ path: ':memory:' });
    await store.createAccount(account);
    await store.commit({ aggregates: [agg('x', 0, { n: 0 })] });
    const good = Array.from({ length: 5 }, (_, i): CommitBatch => ({ aggregates: [agg(`g${i}`, 0, { i })] }));
    const stale: CommitBatch = { aggregates: [agg('y', 0, {}), agg('x', 7, { n: 99 })] };
    const before = { ...store.groupCommitStats };
    const outcomes = await Promise.allSettled([...good.slice(0, 2), stale, ...good.slice(2)].map((b) => store.commit(b)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(store.groupCommitStats.transactions - before.transactions).toBe(1);
    expect(store.groupCommitStats.batches - before.batches).toBe(6);
    expect([...good, stale].map((b) => store.applied.get(b))).toEqual([2, 2, 1, 1, 1, 2]);
    expect(await store.getAggregate('acc-a', 'counter', 'y')).toBeUndefined();
    for (let i = 0; i < 5; i++) expect((await store.getAggregate('acc-a', 'counter', `g${i}`))?.state).toEqual({ i });

    const next = Array.from({ length: 3 }, (_, i): CommitBatch => ({ aggregates: [agg(`n${i}`, 0, {})] }));
    await Promise.all(next.map((b) => store.commit(b)));
    expect(next.map((b) => store.applied.get(b))).toEqual([1, 1, 1]);
    await store.close();
  });

  it('still writes queued commits when the store is closed before the flush', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-gc-'));
    const path = join(dir, 'kassa.db');
    const store = new SqliteStore({ path });
    await store.createAccount(account);
    const pending = store.commit({ aggregates: [agg('late', 0, { n: 1 })] });
    await store.close();
    await pending;
    const reopened = new SqliteStore({ path });
    expect((await reopened.getAggregate('acc-a', 'counter', 'late'))?.state).toEqual({ n: 1 });
    await reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
