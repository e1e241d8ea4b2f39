/**
 * A sole Kassa process holds its SQLite file while it writes (src/store/sqlite/exclusive-lock.ts):
 * once it holds the file no other connection can read or write it (which is what lets the read
 * cache skip its `PRAGMA data_version` check); it lets go when idle, and then sees what another
 * connection wrote; it never waits for the file, and shares it while another connection has it open.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limits } from '../../src/domain/limits.js';
import { openStore } from '../../src/store/open-store.js';
import type { AccountRecord } from '../../src/store/port.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const accountId = 'krn:partner:global:account:test:EXCL0001';
const account: AccountRecord = { id: accountId, username: 'exclusive', secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false };
const put = (expectedVersion: number, state: unknown) => ({ aggregates: [{ accountId, type: 'order', id: 'o1', expectedVersion, state, now: 10 }] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits for the idle timer to let the lock go (a few of its periods; more on a loaded machine). */
async function released(store: SqliteStore): Promise<void> {
  const deadline = Date.now() + 50 * limits.sqliteExclusiveIdleMs;
  while (store.exclusiveLock?.held && Date.now() < deadline) await sleep(limits.sqliteExclusiveIdleMs / 4);
  expect(store.exclusiveLock?.held).toBe(false);
}

describe('SQLite: the file held while writing', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore;
  let other: Database.Database | undefined;
  /** `PRAGMA data_version` checks the store made. */
  let dataVersionChecks: () => number;

  /** Another connection (as another process would open it), never waiting for a lock. */
  const otherConnection = () => (other ??= new Database(path, { timeout: 0 }));
  const othersRead = () => otherConnection().prepare('SELECT version FROM aggregates WHERE id = ?').pluck().get('o1');
  const othersWrite = (state: unknown) => otherConnection().prepare("UPDATE aggregates SET state = ?, version = version + 1 WHERE id = 'o1'").run(JSON.stringify(state));
  const closeOther = () => {
    other?.close();
    other = undefined;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kassa-exclusive-'));
    path = join(dir, 'kassa.db');
    store = new SqliteStore({ path, exclusive: true });
    await store.createAccount(account);
    const stmt = (store as unknown as { stmts: { dataVersion: { get: () => unknown } } }).stmts.dataVersion;
    const get = stmt.get.bind(stmt);
    let n = 0;
    stmt.get = () => (n++, get());
    dataVersionChecks = () => n;
  });
  afterEach(async () => {
    closeOther();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is held from the first group commit: no other connection can read or write, and cached reads ask SQLite nothing', async () => {
    expect(othersRead()).toBeUndefined(); // before any commit the file is shared
    closeOther();
    await store.commit(put(0, { status: 'AUTHORIZED' }));
    expect(store.exclusiveLock?.held).toBe(true);
    expect(() => othersRead()).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    closeOther();
    expect(() => othersWrite({ status: 'CANCELLED' })).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    closeOther();

    const checks = dataVersionChecks();
    expect((await store.getAggregate(accountId, 'order', 'o1'))?.state).toEqual({ status: 'AUTHORIZED' });
    await store.getAccount(accountId);
    expect(dataVersionChecks()).toBe(checks);
  });

  it(`lets go once no group commit came for sqliteExclusiveIdleMs; what another connection then writes is read, not the cache`, async () => {
    await store.commit(put(0, { status: 'AUTHORIZED' }));
    await store.getAggregate(accountId, 'order', 'o1'); // cached
    await released(store);
    expect(othersWrite({ status: 'CANCELLED' }).changes).toBe(1);
    closeOther();
    expect(await store.getAggregate(accountId, 'order', 'o1')).toMatchObject({ version: 2, state: { status: 'CANCELLED' } });

    // The next group commit takes it again.
    await store.commit(put(2, { status: 'CAPTURED' }));
    expect(store.exclusiveLock?.held).toBe(true);
    expect(() => othersRead()).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
  });

  it('is not let go while group commits keep coming, and is at the second look without one', async () => {
    const lock = store.exclusiveLock!;
    lock.stop(); // the looks are the test's, not the timer's
    await store.commit(put(0, { n: 0 }));
    for (let i = 1; i <= 5; i++) {
      lock.releaseIfIdle();
      expect(lock.held).toBe(true);
      await store.commit(put(i, { n: i }));
    }
    lock.releaseIfIdle(); // sees the last commit
    expect(lock.held).toBe(true);
    lock.releaseIfIdle(); // nothing since
    expect(lock.held).toBe(false);
    expect(othersRead()).toBe(6);
  });

  it('never waits for the file: while another connection has it open, commits share it and the lock is tried again sqliteExclusiveRetryMs later', async () => {
    expect(othersRead()).toBeUndefined(); // open, holding WAL mode's shared lock on the file
    const started = performance.now();
    await store.commit(put(0, { status: 'AUTHORIZED' }));
    expect(performance.now() - started).toBeLessThan(limits.sqliteExclusiveRetryMs);
    expect(store.exclusiveLock?.held).toBe(false);

    // Shared as without the option: the other connection writes, and the store reads what it wrote.
    await store.getAggregate(accountId, 'order', 'o1');
    expect(othersWrite({ status: 'CANCELLED' }).changes).toBe(1);
    expect(await store.getAggregate(accountId, 'order', 'o1')).toMatchObject({ version: 2, state: { status: 'CANCELLED' } });
    closeOther();

    await store.commit(put(2, { status: 'CAPTURED' }));
    expect(store.exclusiveLock?.held).toBe(false); // too soon to try again
    await sleep(limits.sqliteExclusiveRetryMs);
    await store.commit(put(3, { status: 'REFUNDED' }));
    expect(store.exclusiveLock?.held).toBe(true);
  });

  it('a commit another connection made before the lock was taken is not hidden by the cache afterwards', async () => {
    await store.commit(put(0, { status: 'AUTHORIZED' }));
    await released(store);
    await store.getAggregate(accountId, 'order', 'o1'); // cached at version 1, the file shared
    expect(othersWrite({ status: 'CANCELLED' }).changes).toBe(1);
    closeOther();
    // A commit of something else takes the lock; from then on reads ask SQLite nothing.
    await store.commit({ aggregates: [{ accountId, type: 'order', id: 'o2', expectedVersion: 0, state: {}, now: 10 }] });
    expect(store.exclusiveLock?.held).toBe(true);
    expect(await store.getAggregate(accountId, 'order', 'o1')).toMatchObject({ version: 2, state: { status: 'CANCELLED' } });
  });

  it('is for a sole server process only: off unless asked for, and never for a cluster worker or a tool', async () => {
    const plain = new SqliteStore({ path: join(dir, 'plain.db') });
    const tool = openStore({ kind: 'sqlite', path: join(dir, 'tool.db') });
    const server = openStore({ kind: 'sqlite', path: join(dir, 'server.db') }, { soleProcess: true });
    try {
      expect(plain.exclusiveLock).toBeUndefined();
      expect((tool as SqliteStore).exclusiveLock).toBeUndefined();
      expect((server as SqliteStore).exclusiveLock).toBeDefined();
    } finally {
      await Promise.all([plain.close(), tool.close(), server.close()]);
    }
  });
});
