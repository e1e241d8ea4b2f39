/**
 * The store contract: one suite every adapter must pass (sqlite.test.ts, postgres.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limits } from '../../src/domain/limits.js';
import { ConcurrencyConflict, DuplicateKey, type AccountRecord, type CommitBatch, type RequestLogWrite, type Store } from '../../src/store/port.js';

export interface OpenedStore {
  store: Store;
  drop(): Promise<void>;
}

const logEntry = (accountId: string, n: number, extra: Partial<RequestLogWrite> = {}): RequestLogWrite => ({
  id: `req-${accountId}-${String(n).padStart(5, '0')}`,
  accountId,
  at: 1000 + n,
  method: 'POST',
  path: `/payments/v1/sessions?n=${n}`,
  route: '/payments/v1/sessions',
  statusCode: 200,
  durationMs: 3,
  correlationId: `corr-${accountId}-${n}`,
  ...extra,
});

const account = (id: string, username = id): AccountRecord => ({ id, username, secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false });

export function storeContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      await store.createAccount(account('acc-a', 'alice'));
      await store.createAccount(account('acc-b', 'bob'));
    });
    afterEach(async () => opened.drop());

    it('creates and finds accounts, refusing a duplicate username', async () => {
      expect((await store.getAccountByUsername('alice'))?.id).toBe('acc-a');
      expect(await store.getAccount('nope')).toBeUndefined();
      await expect(store.createAccount(account('acc-c', 'alice'))).rejects.toBeInstanceOf(DuplicateKey);
      expect((await store.listAccounts()).map((a) => a.id)).toEqual(['acc-a', 'acc-b']);
    });

    it('creates one default account however many callers race to create it', async () => {
      const candidates = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'].map((id) => ({ ...account(id), isDefault: true }));
      // Connections open first (PostgreSQL's pool), so the calls really overlap instead of queueing behind connection setup.
      await Promise.all(candidates.map(() => store.listAccounts()));
      const created = await Promise.all(candidates.map((a) => store.createDefaultAccount(a)));
      expect(created.filter(Boolean)).toHaveLength(1);
      const defaults = (await store.listAccounts()).filter((a) => a.isDefault);
      expect(defaults.map((a) => a.id)).toEqual([candidates[created.indexOf(true)]!.id]);
      expect(await store.createDefaultAccount({ ...account('d7'), isDefault: true })).toBe(false);
    });

    it('moves the clock offset by compare-and-set only', async () => {
      expect(await store.setClockOffset('acc-a', 0, 5000)).toBe(true);
      expect(await store.setClockOffset('acc-a', 0, 9000)).toBe(false);
      expect((await store.getAccount('acc-a'))?.clockOffsetMs).toBe(5000);
    });

    it('inserts and updates aggregates with version checks, scoped by account', async () => {
      await store.commit({ aggregates: [{ accountId: 'acc-a', type: 'order', id: 'o1', expectedVersion: 0, state: { n: 1 }, now: 10 }] });
      const r = await store.getAggregate<{ n: number }>('acc-a', 'order', 'o1');
      expect(r).toMatchObject({ version: 1, state: { n: 1 }, createdAt: 10, updatedAt: 10 });
      expect(await store.getAggregate('acc-b', 'order', 'o1')).toBeUndefined();
      await store.commit({ aggregates: [{ accountId: 'acc-a', type: 'order', id: 'o1', expectedVersion: 1, state: { n: 2 }, now: 20 }] });
      await expect(store.commit({ aggregates: [{ accountId: 'acc-a', type: 'order', id: 'o1', expectedVersion: 1, state: { n: 3 }, now: 30 }] })).rejects.toBeInstanceOf(
        ConcurrencyConflict,
      );
      await expect(store.commit({ aggregates: [{ accountId: 'acc-a', type: 'order', id: 'o1', expectedVersion: 0, state: {}, now: 30 }] })).rejects.toBeInstanceOf(
        ConcurrencyConflict,
      );
      expect(await store.getAggregate('acc-a', 'order', 'o1')).toMatchObject({ version: 2, state: { n: 2 }, updatedAt: 20 });
    });

    it('writes nothing from a batch that fails part-way', async () => {
      await store.commit({ aggregates: [{ accountId: 'acc-a', type: 'order', id: 'o1', expectedVersion: 0, state: { n: 1 }, now: 10 }] });
      const failing: CommitBatch = {
        aggregates: [
          { accountId: 'acc-a', type: 'order', id: 'o2', expectedVersion: 0, state: {}, now: 11 },
          { accountId: 'acc-a', type: 'order', id: 'o1', expectedVersion: 7, state: {}, now: 11 },
        ],
        events: [{ accountId: 'acc-a', aggregateType: 'order', aggregateId: 'o2', type: 'created', data: {}, occurredAt: 11 }],
        timersAdd: [{ id: 't1', accountId: 'acc-a', dueAt: 100, kind: 'k', aggregateType: 'order', aggregateId: 'o2', payload: {} }],
        outbox: [{ id: 'ob1', accountId: 'acc-a', kind: 'webhook', eventId: 'e1', eventType: 'x', url: 'http://x', headers: {}, body: '{}', nextAttemptAt: 0, createdAt: 0 }],
        idempotency: { accountId: 'acc-a', key: 'k1', scope: 'POST /x', statusCode: 200, headers: {}, body: '{}', createdAt: 11 },
      };
      await expect(store.commit(failing)).rejects.toBeInstanceOf(ConcurrencyConflict);
      expect(await store.getAggregate('acc-a', 'order', 'o2')).toBeUndefined();
      expect(await store.listEvents('acc-a', 'order', 'o2')).toEqual([]);
      expect(await store.getTimer('t1')).toBeUndefined();
      expect(await store.getOutbox('ob1')).toBeUndefined();
      expect(await store.getIdempotency('acc-a', 'k1')).toBeUndefined();
    });

    it('keeps lookup keys unique and reports their owner', async () => {
      await store.commit({ lookupKeys: [{ kind: 'token', key: 'abc', accountId: 'acc-a', type: 'session', id: 's1' }] });
      expect(await store.findLookup('token', 'abc')).toEqual({ kind: 'token', key: 'abc', accountId: 'acc-a', type: 'session', id: 's1' });
      await expect(store.commit({ lookupKeys: [{ kind: 'token', key: 'abc', accountId: 'acc-b', type: 'session', id: 's2' }] })).rejects.toBeInstanceOf(DuplicateKey);
    });

    it('appends events in order and lists aggregates by id', async () => {
      for (let i = 0; i < 3; i++) {
        await store.commit({
          aggregates: [{ accountId: 'acc-a', type: 'session', id: `s${i}`, expectedVersion: 0, state: { i }, now: i }],
          events: [{ accountId: 'acc-a', aggregateType: 'order', aggregateId: 'o1', type: `e${i}`, data: { i }, occurredAt: i }],
        });
      }
      expect((await store.listEvents('acc-a', 'order', 'o1')).map((e) => e.type)).toEqual(['e0', 'e1', 'e2']);
      expect((await store.listAggregates('acc-a', 'session', { limit: 2 })).map((a) => a.id)).toEqual(['s0', 's1']);
      expect((await store.listAggregates('acc-a', 'session', { limit: 5, after: 's1' })).map((a) => a.id)).toEqual(['s2']);
      expect(await store.listAggregates('acc-b', 'session', { limit: 5 })).toEqual([]);
    });

    it('returns due timers in deadline order and consumes each once', async () => {
      const t = (id: string, dueAt: number, accountId = 'acc-a') => ({ id, accountId, dueAt, kind: 'k', aggregateType: 'order', aggregateId: 'o', payload: { id } });
      await store.commit({ timersAdd: [t('late', 300), t('early', 100), t('mid', 200), t('other', 50, 'acc-b')] });
      expect((await store.dueTimers('acc-a', 250, 10)).map((x) => x.id)).toEqual(['early', 'mid']);
      expect(await store.countTimers('acc-a')).toBe(3);
      await store.commit({ timersRemove: [{ id: 'early', mustExist: true }] });
      await expect(store.commit({ timersRemove: [{ id: 'early', mustExist: true }] })).rejects.toBeInstanceOf(ConcurrencyConflict);
      await store.commit({ timersRemove: [{ id: 'early', mustExist: false }] });
      expect((await store.dueTimers('acc-a', 1000, 10)).map((x) => x.id)).toEqual(['mid', 'late']);
    });

    it('replaces a timer removed and added again in one commit (a re-schedule), and adds a new one the same way', async () => {
      const t = (id: string, dueAt: number) => ({ id, accountId: 'acc-a', dueAt, kind: 'k', aggregateType: 'order', aggregateId: 'o', payload: { dueAt } });
      await store.commit({ timersAdd: [t('moving', 100)] });
      await store.commit({ timersRemove: [{ id: 'moving', mustExist: false }, { id: 'fresh', mustExist: false }], timersAdd: [t('moving', 500), t('fresh', 300)] });
      expect(await store.getTimer('moving')).toMatchObject({ dueAt: 500, payload: { dueAt: 500 } });
      expect((await store.dueTimers('acc-a', 1000, 10)).map((x) => x.id)).toEqual(['fresh', 'moving']);
      // A timer consumed (must exist) and scheduled again under its id in one commit.
      await store.commit({ timersRemove: [{ id: 'moving', mustExist: true }], timersAdd: [t('moving', 700)] });
      expect(await store.getTimer('moving')).toMatchObject({ dueAt: 700 });
      await expect(store.commit({ timersRemove: [{ id: 'gone', mustExist: true }], timersAdd: [t('gone', 1)] })).rejects.toBeInstanceOf(ConcurrencyConflict);
      expect(await store.getTimer('gone')).toBeUndefined();
      // Without a removal, an id that exists is a conflict as before: nothing is replaced silently.
      await expect(store.commit({ timersAdd: [t('fresh', 900)] })).rejects.toThrow();
      expect(await store.getTimer('fresh')).toMatchObject({ dueAt: 300 });
    });

    it('claims outbox rows with a lease and records attempts', async () => {
      const row = (id: string, at: number) => ({ id, accountId: 'acc-a', kind: 'webhook', eventId: `ev-${id}`, eventType: 'x', url: 'http://r', headers: { a: 'b' }, body: `{"id":"${id}"}`, nextAttemptAt: at, createdAt: at, ref: 'wh1' });
      await store.commit({ outbox: [row('o1', 10), row('o2', 20), row('o3', 999)] });
      const claimed = await store.claimOutbox('acc-a', 100, 10, { realNow: 1000, leaseMs: 500 });
      expect(claimed.map((r) => r.id)).toEqual(['o1', 'o2']);
      expect(claimed[0]).toMatchObject({ headers: { a: 'b' }, status: 'pending', attempts: 0 });
      expect(await store.claimOutbox('acc-a', 100, 10, { realNow: 1200, leaseMs: 500 })).toEqual([]);
      await store.recordAttempt({ outboxId: 'o1', attempt: 1, at: 100, statusCode: 500, error: null, latencyMs: 3 }, { status: 'pending', nextAttemptAt: 150 });
      await store.recordAttempt({ outboxId: 'o2', attempt: 1, at: 100, statusCode: 200, error: null, latencyMs: 2 }, { status: 'delivered', nextAttemptAt: 100 });
      expect((await store.claimOutbox('acc-a', 200, 10, { realNow: 1300, leaseMs: 500 })).map((r) => r.id)).toEqual(['o1']);
      expect(await store.listAttempts('o1')).toEqual([{ outboxId: 'o1', attempt: 1, at: 100, statusCode: 500, error: null, latencyMs: 3 }]);
      expect((await store.getOutbox('o2'))?.status).toBe('delivered');
      expect((await store.listOutbox('acc-a', { ref: 'wh1' }, { limit: 10 })).map((r) => r.id)).toEqual(['o1', 'o2', 'o3']);
      expect((await store.listOutbox('acc-a', { ref: 'wh1' }, { limit: 2, newestFirst: true })).map((r) => r.id)).toEqual(['o3', 'o2']);
      expect((await store.listOutbox('acc-a', { ref: 'wh1' }, { limit: 2, newestFirst: true, after: 'o3' })).map((r) => r.id)).toEqual(['o2', 'o1']);
      expect(await store.requeueOutbox('o2', 5000)).toBe(true);
      expect((await store.getOutbox('o2'))).toMatchObject({ status: 'pending', nextAttemptAt: 5000 });
    });

    it('stores idempotency records once per account and key, and purges old ones', async () => {
      const rec = { accountId: 'acc-a', key: 'k', scope: 'POST /x', statusCode: 201, headers: { Location: '/x/1' }, body: '{"a":1}', createdAt: 100 };
      await store.commit({ idempotency: rec });
      expect(await store.getIdempotency('acc-a', 'k')).toEqual(rec);
      expect(await store.getIdempotency('acc-b', 'k')).toBeUndefined();
      await expect(store.commit({ idempotency: rec })).rejects.toBeInstanceOf(DuplicateKey);
      await store.commit({ idempotency: { ...rec, accountId: 'acc-b' } });
      expect(await store.purgeIdempotency(101)).toBe(2);
    });

    it('moves the clock inside a commit, atomically with the rest of the batch', async () => {
      const rec = { accountId: 'acc-a', key: 'adv', scope: 'POST /clock', statusCode: 200, headers: {}, body: '{}', createdAt: 1 };
      await store.commit({ clockMove: { accountId: 'acc-a', expectedOffsetMs: 0, newOffsetMs: 60_000 }, idempotency: rec });
      expect((await store.getAccount('acc-a'))?.clockOffsetMs).toBe(60_000);
      await expect(store.commit({ clockMove: { accountId: 'acc-a', expectedOffsetMs: 0, newOffsetMs: 120_000 }, idempotency: { ...rec, key: 'adv2' } })).rejects.toBeInstanceOf(
        ConcurrencyConflict,
      );
      expect((await store.getAccount('acc-a'))?.clockOffsetMs).toBe(60_000);
      expect(await store.getIdempotency('acc-a', 'adv2')).toBeUndefined();
    });

    it('stamps each event with the correlation id of its command, when it has one', async () => {
      await store.commit({
        events: [
          { accountId: 'acc-a', aggregateType: 'order', aggregateId: 'o1', type: 'placed', data: {}, occurredAt: 1, correlationId: 'corr-1' },
          { accountId: 'acc-a', aggregateType: 'order', aggregateId: 'o1', type: 'legacy', data: {}, occurredAt: 2 },
        ],
      });
      const events = await store.listEvents('acc-a', 'order', 'o1');
      expect(events.map((e) => [e.type, e.correlationId])).toEqual([
        ['placed', 'corr-1'],
        ['legacy', undefined],
      ]);
      expect('correlationId' in events[1]!).toBe(false);
    });

    it('keeps a requests log per account, newest first, paged, found by correlation id', async () => {
      await store.appendRequestLog([
        logEntry('acc-a', 1, { idempotencyKey: 'idem-1', requestBody: '{"a":1}', responseBody: '{"b":2}' }),
        logEntry('acc-b', 1),
        logEntry('acc-a', 3),
        logEntry('acc-a', 2, { statusCode: 400, method: 'GET', requestBody: undefined }),
      ]);
      const list = await store.listRequestLog('acc-a', { limit: 10 });
      expect(list.map((e) => e.id)).toEqual(['req-acc-a-00003', 'req-acc-a-00002', 'req-acc-a-00001']);
      expect(list[2]).toEqual(logEntry('acc-a', 1, { idempotencyKey: 'idem-1', requestBody: '{"a":1}', responseBody: '{"b":2}' }));
      expect(list[1]).toEqual(logEntry('acc-a', 2, { statusCode: 400, method: 'GET' }));
      expect('requestBody' in list[1]! || 'idempotencyKey' in list[1]!).toBe(false);
      expect((await store.listRequestLog('acc-a', { limit: 2 })).map((e) => e.id)).toEqual(['req-acc-a-00003', 'req-acc-a-00002']);
      expect((await store.listRequestLog('acc-a', { limit: 2, before: 'req-acc-a-00002' })).map((e) => e.id)).toEqual(['req-acc-a-00001']);
      expect(await store.listRequestLog('acc-a', { limit: 2, before: 'req-acc-b-00001' })).toEqual([]); // another account's cursor
      expect((await store.getRequestLog('acc-a', 'corr-acc-a-3'))?.id).toBe('req-acc-a-00003');
      expect(await store.getRequestLog('acc-b', 'corr-acc-a-3')).toBeUndefined();
      expect((await store.listRequestLog('acc-b', { limit: 10 })).map((e) => e.id)).toEqual(['req-acc-b-00001']);
      expect(await store.listRequestLog('acc-c', { limit: 10 })).toEqual([]);
    });

    it('orders requests by account-clock time, then id, across appends', async () => {
      await store.appendRequestLog([logEntry('acc-a', 5, { id: 'z-late-batch', at: 50 })]);
      await store.appendRequestLog([logEntry('acc-a', 6, { id: 'a-same-ms', at: 50 }), logEntry('acc-a', 7, { id: 'm-earlier', at: 40 })]);
      expect((await store.listRequestLog('acc-a', { limit: 10 })).map((e) => e.id)).toEqual(['z-late-batch', 'a-same-ms', 'm-earlier']);
    });

    it('keeps exactly the newest requestLogPerAccountMax entries of each account, at and beyond the limit', async () => {
      const max = limits.requestLogPerAccountMax;
      const range = (from: number, to: number, accountId = 'acc-a') => Array.from({ length: to - from }, (_, i) => logEntry(accountId, from + i));
      for (let from = 0; from < max; from += 400) await store.appendRequestLog(range(from, Math.min(max, from + 400)));
      await store.appendRequestLog(range(0, 3, 'acc-b'));
      let all = await store.listRequestLog('acc-a', { limit: max + 10 });
      expect(all.length).toBe(max); // at the limit: nothing pruned
      expect(all.at(-1)!.id).toBe('req-acc-a-00000');
      await store.appendRequestLog([...range(max, max + 5), logEntry('acc-b', 3)]);
      all = await store.listRequestLog('acc-a', { limit: max + 10 });
      expect(all.length).toBe(max); // beyond: the five oldest went
      expect(all[0]!.id).toBe(`req-acc-a-${String(max + 4).padStart(5, '0')}`);
      expect(all.at(-1)!.id).toBe('req-acc-a-00005');
      expect(await store.getRequestLog('acc-a', 'corr-acc-a-4')).toBeUndefined();
      expect((await store.listRequestLog('acc-b', { limit: 10 })).length).toBe(4); // another account's entries untouched
    });

    it('counts the backlog for metrics: timers due on each account clock, pending and failed deliveries', async () => {
      await store.setClockOffset('acc-b', 0, 1000);
      const t = (id: string, accountId: string, dueAt: number) => ({ id, accountId, dueAt, kind: 'k', aggregateType: 'o', aggregateId: 'o', payload: {} });
      const row = (id: string) => ({ id, accountId: 'acc-a', kind: 'webhook', eventId: id, eventType: 'x', url: 'http://r', headers: {}, body: '{}', nextAttemptAt: 0, createdAt: 0 });
      await store.commit({ timersAdd: [t('a1', 'acc-a', 100), t('a2', 'acc-a', 600), t('b1', 'acc-b', 1400), t('b2', 'acc-b', 1600)], outbox: [row('o1'), row('o2'), row('o3')] });
      await store.recordAttempt({ outboxId: 'o1', attempt: 1, at: 1, statusCode: 500, error: null, latencyMs: 1 }, { status: 'failed', nextAttemptAt: 1 });
      await store.recordAttempt({ outboxId: 'o2', attempt: 1, at: 1, statusCode: 200, error: null, latencyMs: 1 }, { status: 'delivered', nextAttemptAt: 1 });
      expect(await store.countBacklog(500)).toEqual({ timersDue: 2, outboxPending: 1, outboxFailed: 1 });
    });

    it('keeps the first value of a setting', async () => {
      expect(await store.getOrCreateSetting('s', 'one')).toBe('one');
      expect(await store.getOrCreateSetting('s', 'two')).toBe('one');
    });

    it('lists an account\'s aggregates of one type newest first, paged by (created_at, id)', async () => {
      const put = (id: string, now: number, accountId = 'acc-a', type = 'thing') => ({ accountId, type, id, expectedVersion: 0, state: { id }, now });
      await store.commit({ aggregates: [put('b', 100), put('a', 100), put('c', 300), put('d', 200), put('x', 999, 'acc-b'), put('y', 999, 'acc-a', 'other')] });
      const ids = async (page: Parameters<typeof store.listRecentAggregates>[2]) => (await store.listRecentAggregates('acc-a', 'thing', page)).map((r) => r.id);
      expect(await ids({ limit: 10 })).toEqual(['c', 'd', 'b', 'a']);
      expect(await ids({ limit: 2 })).toEqual(['c', 'd']);
      expect(await ids({ limit: 2, before: { createdAt: 200, id: 'd' } })).toEqual(['b', 'a']);
      expect(await ids({ limit: 10, before: { createdAt: 100, id: 'b' } })).toEqual(['a']);
      expect(await store.listRecentAggregates('acc-b', 'thing', { limit: 10 })).toMatchObject([{ id: 'x', createdAt: 999, state: { id: 'x' } }]);
    });
  });
}
