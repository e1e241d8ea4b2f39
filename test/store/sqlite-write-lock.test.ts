/**
 * Several processes on one SQLite file (KASSA_WORKERS): while another connection holds the write
 * lock, a group commit waits without blocking the event loop, keeps gathering batches, and writes
 * them all once the lock is free; after `limits.sqliteBusyRetriesMax` tries it waits blocking (up
 * to the busy timeout) instead of spinning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limits } from '../../src/domain/limits.js';
import type { AccountRecord } from '../../src/store/port.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const account: AccountRecord = { id: 'acc-a', username: 'alice', secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false };
const agg = (id: string) => ({ accountId: 'acc-a', type: 'counter', id, expectedVersion: 0, state: { id }, now: 1 });
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SQLite group commit while another process writes', () => {
  let dir: string;
  let store: SqliteStore;
  let other: Database.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kassa-write-lock-'));
    store = new SqliteStore({ path: join(dir, 'kassa.db') });
    await store.createAccount(account);
    other = new Database(join(dir, 'kassa.db'));
  });
  afterEach(async () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the lock without blocking the event loop, then writes every queued batch', async () => {
    other.exec('BEGIN IMMEDIATE');
    let settled = 0;
    const commits = [store.commit({ aggregates: [agg('a')] }), store.commit({ aggregates: [agg('b')] })].map((p) => p.then(() => settled++));
    for (let i = 0; i < 5; i++) await turn(); // the event loop keeps turning: nothing is blocked
    commits.push(store.commit({ aggregates: [agg('c')] }).then(() => settled++));
    for (let i = 0; i < 5; i++) await turn();
    expect(settled).toBe(0);
    expect(await store.getAggregate('acc-a', 'counter', 'a')).toBeUndefined();
    other.exec('COMMIT');
    await Promise.all(commits);
    expect(settled).toBe(3);
    for (const id of ['a', 'b', 'c']) expect(await store.getAggregate('acc-a', 'counter', id)).toBeDefined();
    // The batches that gathered while waiting went in together.
    expect(store.groupCommitStats.largestGroup).toBeGreaterThanOrEqual(2);
  });

  it(`waits blocking after ${limits.sqliteBusyRetriesMax} tries, and fails cleanly if the lock never comes`, async () => {
    const impatient = new SqliteStore({ path: join(dir, 'kassa.db'), busyTimeoutMs: 50 });
    other.exec('BEGIN IMMEDIATE');
    const outcome = await impatient.commit({ aggregates: [agg('d')] }).then(
      () => 'written',
      (error: { code?: string }) => error.code,
    );
    expect(outcome).toBe('SQLITE_BUSY');
    other.exec('ROLLBACK');
    await impatient.commit({ aggregates: [agg('e')] });
    expect(await store.getAggregate('acc-a', 'counter', 'e')).toBeDefined();
    expect(await store.getAggregate('acc-a', 'counter', 'd')).toBeUndefined();
    await impatient.close();
  });
});
