/**
 * The SQLite adapter's own WAL sync (synchronous FULL without blocking the event loop): a commit is
 * acknowledged only after a sync that started after its COMMIT has finished, the HTTP barrier holds
 * answers while a sync is pending, at most `limits.walSyncsInFlightMax` syncs run at once, and a
 * failed sync fails the commits it covered and every later one. The disk sync is replaced by one
 * the test completes by hand, so nothing here depends on timing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { orderBody } from '../../bench/workload.js';
import { limits } from '../../src/domain/limits.js';
import type { AccountRecord } from '../../src/store/port.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const account: AccountRecord = { id: 'acc-a', username: 'alice', secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false };
const agg = (id: string) => ({ accountId: 'acc-a', type: 'counter', id, expectedVersion: 0, state: { id }, now: 1 });

/** A disk whose syncs finish only when the test says so. */
class HeldDisk {
  readonly pending: { fd: number; done: (error: Error | null) => void }[] = [];
  readonly sync = (fd: number, done: (error: Error | null) => void): void => {
    this.pending.push({ fd, done });
  };
  finish(error: Error | null = null): void {
    const next = this.pending.shift();
    if (!next) throw new Error('no sync is running');
    next.done(error);
  }
  async finishAll(): Promise<void> {
    while (this.pending.length > 0) {
      this.finish();
      await settle();
    }
  }
}

/** Lets queued group commits flush (setImmediate) and promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

function track<T>(promise: Promise<T>): { state: 'pending' | 'fulfilled' | 'rejected'; reason?: unknown } {
  const t: { state: 'pending' | 'fulfilled' | 'rejected'; reason?: unknown } = { state: 'pending' };
  promise.then(
    () => (t.state = 'fulfilled'),
    (reason) => ((t.state = 'rejected'), (t.reason = reason)),
  );
  return t;
}

describe('SQLite WAL sync', () => {
  let dir: string;
  let disk: HeldDisk;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kassa-wal-sync-'));
    disk = new HeldDisk();
    store = new SqliteStore({ path: join(dir, 'kassa.db'), fdatasync: disk.sync });
    const created = track(store.createAccount(account));
    await settle();
    expect(created.state).toBe('pending'); // even an account is acknowledged only once synced
    await disk.finishAll();
    expect(created.state).toBe('fulfilled');
  });
  afterEach(async () => {
    await disk.finishAll();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges a commit only when a sync of the WAL started after its COMMIT has finished', async () => {
    const commit = track(store.commit({ aggregates: [agg('a')] }));
    await settle();
    expect(existsSync(join(dir, 'kassa.db-wal'))).toBe(true);
    expect(disk.pending).toHaveLength(1);
    // Committed (visible to a reader) but not yet acknowledged.
    expect(await store.getAggregate('acc-a', 'counter', 'a')).toBeDefined();
    expect(commit.state).toBe('pending');
    disk.finish();
    await settle();
    expect(commit.state).toBe('fulfilled');
  });

  it('holds the answer barrier while anything committed is unsynced, and releases it after', async () => {
    expect(store.durableBarrier()).toBeUndefined();
    track(store.commit({ aggregates: [agg('b')] }));
    await settle();
    const barrier = store.durableBarrier();
    expect(barrier).toBeDefined();
    const held = track(barrier!);
    await disk.finishAll();
    expect(held.state).toBe('fulfilled');
    expect(store.durableBarrier()).toBeUndefined();
  });

  it(`runs at most ${limits.walSyncsInFlightMax} syncs at once; commits made meanwhile wait for the next one`, async () => {
    const commits = [];
    for (let i = 0; i < limits.walSyncsInFlightMax + 3; i++) {
      commits.push(track(store.commit({ aggregates: [agg(`g${i}`)] })));
      await settle(); // each in its own group, so each asks for a sync
    }
    expect(disk.pending).toHaveLength(limits.walSyncsInFlightMax);
    disk.finish();
    await settle();
    expect(commits[0]!.state).toBe('fulfilled');
    // The three that waited are covered by one sync started when a slot freed up.
    expect(commits.slice(limits.walSyncsInFlightMax).every((c) => c.state === 'pending')).toBe(true);
    expect(disk.pending).toHaveLength(limits.walSyncsInFlightMax);
    await disk.finishAll();
    expect(commits.every((c) => c.state === 'fulfilled')).toBe(true);
  });

  it('answers HTTP requests only once what they committed is synced', async () => {
    const { startTestKassa } = await import('../support/harness.js');
    const starting = startTestKassa({ store });
    // Setting up writes the test merchant's account, which waits for its sync like everything else.
    let t: Awaited<typeof starting> | undefined;
    void starting.then((started) => (t = started));
    while (!t) await disk.finishAll().then(settle);
    let answered = false;
    const response = t.request('POST', '/payments/v1/sessions', { body: orderBody }).then((r) => ((answered = true), r));
    while (disk.pending.length === 0 && !answered) await settle();
    expect(answered).toBe(false);
    await disk.finishAll();
    const r = await response;
    expect(r.statusCode, r.body).toBe(200);

    // A read is held too while another request's commit is unsynced: it could show that write.
    track(store.commit({ aggregates: [agg('other')] }));
    await settle();
    let read = false;
    const get = t.request('GET', `/payments/v1/sessions/${r.json().session_id}`).then((g) => ((read = true), g));
    for (let i = 0; i < 20; i++) await settle();
    expect(read).toBe(false);
    await disk.finishAll();
    expect((await get).statusCode).toBe(200);
  });

  it('fails the commits a failed sync covered, and refuses every later write', async () => {
    const covered = track(store.commit({ aggregates: [agg('c')] }));
    await settle();
    disk.finish(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await settle();
    expect(covered.state).toBe('rejected');
    expect(String(covered.reason)).toContain('EIO');
    const later = track(store.commit({ aggregates: [agg('d')] }));
    await settle();
    expect(later.state).toBe('rejected');
    expect(await store.getAggregate('acc-a', 'counter', 'd')).toBeUndefined();
  });

  it('syncs nothing for an in-memory database', async () => {
    const memory = new SqliteStore({ path: ':memory:', fdatasync: disk.sync });
    await memory.createAccount(account);
    await memory.commit({ aggregates: [agg('m')] });
    expect(disk.pending).toHaveLength(0);
    expect(memory.durableBarrier()).toBeUndefined();
    await memory.close();
  });
});
