/**
 * The SQLite adapter's read cache (src/store/sqlite/read-cache.ts): what a commit wrote is read
 * back without touching the database, exactly as a database read would give it; another
 * connection's commit is never hidden by it; a failed batch leaves nothing stale; shared objects
 * cannot be changed in place.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limits } from '../../src/domain/limits.js';
import { ConcurrencyConflict, type AccountRecord } from '../../src/store/port.js';
import { freezeAsJson, ReadCache } from '../../src/store/sqlite/read-cache.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const accountId = 'krn:partner:global:account:test:CACHE001';
const account: AccountRecord = { id: accountId, username: 'cache', secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false };
const put = (expectedVersion: number, state: unknown, now = 10) => ({ aggregates: [{ accountId, type: 'order', id: 'o1', expectedVersion, state, now }] });

describe('SQLite read cache', () => {
  let dir: string;
  let store: SqliteStore;
  /** Counts the rows SQLite hands to this connection's reads. */
  let rowsRead: () => number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kassa-read-cache-'));
    store = new SqliteStore({ path: join(dir, 'kassa.db') });
    await store.createAccount(account);
    const stmts = (store as unknown as { stmts: Record<string, { get: (...a: unknown[]) => unknown }> }).stmts;
    let n = 0;
    for (const name of ['getAggregate', 'getAccount']) {
      const stmt = stmts[name]!;
      const get = stmt.get.bind(stmt);
      stmt.get = (...args: unknown[]) => (n++, get(...args));
    }
    rowsRead = () => n;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves what a commit wrote, as a database read would give it, without reading the row', async () => {
    const state = { status: 'AUTHORIZED', note: undefined, lines: [{ q: 1, skipped: undefined }, undefined], at: new Date(5), n: Number.NaN };
    await store.commit(put(0, state));
    const before = rowsRead();
    const cached = await store.getAggregate(accountId, 'order', 'o1');
    expect(rowsRead()).toBe(before);
    expect(cached?.version).toBe(1);
    expect(cached?.createdAt).toBe(10);
    expect(cached?.state).toStrictEqual(JSON.parse(JSON.stringify(state)));
    expect(Object.keys(cached!.state as object)).toEqual(['status', 'lines', 'at', 'n']);

    await store.commit(put(1, { status: 'CAPTURED' }, 20));
    const updated = await store.getAggregate(accountId, 'order', 'o1');
    expect(rowsRead()).toBe(before);
    expect(updated).toMatchObject({ version: 2, createdAt: 10, updatedAt: 20, state: { status: 'CAPTURED' } });

    // A fresh store on the same file reads the same record from the database.
    const fresh = new SqliteStore({ path: join(dir, 'kassa.db') });
    expect(await fresh.getAggregate(accountId, 'order', 'o1')).toStrictEqual({ ...updated });
    await fresh.close();
  });

  it('shares frozen objects: a reader cannot change what the next one reads', async () => {
    await store.commit(put(0, { status: 'AUTHORIZED', captures: [{ amount: 1 }] }));
    const a = (await store.getAggregate<{ status: string; captures: { amount: number }[] }>(accountId, 'order', 'o1'))!;
    expect(() => {
      a.state.captures[0]!.amount = 2;
    }).toThrow(TypeError);
    expect(() => a.state.captures.push({ amount: 3 })).toThrow(TypeError);
    expect((await store.getAggregate<{ captures: unknown[] }>(accountId, 'order', 'o1'))!.state.captures).toEqual([{ amount: 1 }]);
  });

  it("empties itself when another connection commits, so another process's write is never hidden", async () => {
    await store.commit(put(0, { status: 'AUTHORIZED' }));
    await store.getAccount(accountId);
    const other = new Database(join(dir, 'kassa.db'));
    other.prepare("UPDATE aggregates SET state = ?, version = 2 WHERE id = 'o1'").run(JSON.stringify({ status: 'CANCELLED' }));
    other.prepare('UPDATE accounts SET clock_offset_ms = 5000 WHERE id = ?').run(accountId);
    other.close();
    expect(await store.getAggregate(accountId, 'order', 'o1')).toMatchObject({ version: 2, state: { status: 'CANCELLED' } });
    expect((await store.getAccount(accountId))?.clockOffsetMs).toBe(5000);
  });

  it('a batch that lost its version check leaves the cache as the database is', async () => {
    await store.commit(put(0, { status: 'AUTHORIZED' }));
    await expect(store.commit(put(0, { status: 'DUPLICATE' }))).rejects.toBeInstanceOf(ConcurrencyConflict);
    await expect(store.commit(put(5, { status: 'STALE' }))).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect(await store.getAggregate(accountId, 'order', 'o1')).toMatchObject({ version: 1, state: { status: 'AUTHORIZED' } });
    // Two commits of one group, the second on the same version: one wins, and the cache says which.
    const results = await Promise.allSettled([store.commit(put(1, { status: 'FIRST' })), store.commit(put(1, { status: 'SECOND' }))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(await store.getAggregate(accountId, 'order', 'o1')).toMatchObject({ version: 2, state: { status: 'FIRST' } });
  });

  it('keeps at most limits.sqliteReadCacheEntriesMax documents', async () => {
    const max = limits.sqliteReadCacheEntriesMax;
    const aggregates = Array.from({ length: max + 10 }, (_, i) => ({ accountId, type: 'session', id: `s${i}`, expectedVersion: 0, state: { i }, now: 1 }));
    await store.commit({ aggregates });
    const cache = (store as unknown as { aggregateCache: { size: number } }).aggregateCache;
    expect(cache.size).toBe(max);
    const before = rowsRead();
    expect((await store.getAggregate(accountId, 'session', `s${max + 9}`))?.state).toEqual({ i: max + 9 }); // the newest: cached
    expect(rowsRead()).toBe(before);
    expect((await store.getAggregate(accountId, 'session', 's0'))?.state).toEqual({ i: 0 }); // the oldest: read again
    expect(rowsRead()).toBe(before + 1);
  });

  it('follows clock moves committed by this connection', async () => {
    expect((await store.getAccount(accountId))?.clockOffsetMs).toBe(0);
    await store.commit({ clockMove: { accountId, expectedOffsetMs: 0, newOffsetMs: 60_000 } });
    expect((await store.getAccount(accountId))?.clockOffsetMs).toBe(60_000);
    expect(await store.setClockOffset(accountId, 60_000, 120_000)).toBe(true);
    expect((await store.getAccount(accountId))?.clockOffsetMs).toBe(120_000);
    await expect(store.commit({ clockMove: { accountId, expectedOffsetMs: 0, newOffsetMs: 1 } })).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect((await store.getAccount(accountId))?.clockOffsetMs).toBe(120_000);
  });
});

describe('read cache parts', () => {
  it('freezeAsJson gives what JSON gives back, reusing and freezing the objects it can', () => {
    const shared = { kept: true };
    const value = { a: 1, b: undefined, c: [undefined, () => 1, Number.POSITIVE_INFINITY, shared], d: new Date(0), e: { f: Symbol('s'), g: 'x' }, shared };
    const json = JSON.parse(JSON.stringify(value));
    const frozen = freezeAsJson(value);
    expect(frozen).toStrictEqual(json);
    expect(frozen.shared).toBe(shared);
    expect(Object.isFrozen(frozen) && Object.isFrozen(frozen.c) && Object.isFrozen(shared)).toBe(true);
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const cache = new ReadCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([1, undefined, 3, 2]);
  });
});
