/**
 * UnitOfWork.prefetch: a read started ahead is what the later `load` returns (one store read, not
 * two, and its version is the one the compare-and-set checks); a prefetch nobody loads is dropped,
 * and so is its failure — it never surfaces as an unhandled rejection.
 */
import { describe, expect, it } from 'vitest';
import { cryptoRandom } from '../../src/app/ports.js';
import { UnitOfWork } from '../../src/app/unit-of-work.js';
import type { AccountRecord, AggregateRecord, Store } from '../../src/store/port.js';

const account: AccountRecord = { id: 'acc-p', username: 'p', secretHash: 'scrypt$x$y', createdAt: 1, clockOffsetMs: 0, isDefault: false };
const ctx = { account, now: 5, correlationId: 'c', random: cryptoRandom };

function storeWith(read: (type: string, id: string) => Promise<AggregateRecord<unknown> | undefined>): { store: Store; reads: string[] } {
  const reads: string[] = [];
  const store = {
    getAggregate: (_accountId: string, type: string, id: string) => {
      reads.push(`${type}/${id}`);
      return read(type, id);
    },
  } as unknown as Store;
  return { store, reads };
}

describe('UnitOfWork.prefetch', () => {
  it('hands the read it started to the later load, and puts with that read version', async () => {
    const record = { accountId: 'acc-p', type: 'settings', id: 's', version: 7, state: { days: 3 }, createdAt: 1, updatedAt: 1 };
    const { store, reads } = storeWith(async () => record);
    const uow = new UnitOfWork(store, ctx);
    uow.prefetch('settings', 's');
    uow.prefetch('settings', 's');
    expect(reads).toEqual(['settings/s']);
    expect(await uow.load('settings', 's')).toEqual({ days: 3 });
    expect(reads).toEqual(['settings/s']);
    uow.put('settings', 's', { days: 4 });
    expect(uow.toBatch().aggregates?.[0]).toMatchObject({ id: 's', expectedVersion: 7 });
    await uow.load('settings', 's'); // a second load reads again, as without a prefetch
    expect(reads).toEqual(['settings/s', 'settings/s']);
  });

  it('drops a read nobody loads, a failed one included', async () => {
    const { store } = storeWith(async () => {
      throw new Error('database away');
    });
    const uow = new UnitOfWork(store, ctx);
    uow.prefetch('settings', 's');
    await new Promise((resolve) => setTimeout(resolve, 10)); // an unhandled rejection would fail the run
    await expect(uow.load('settings', 's')).rejects.toThrow('database away');
  });
});
