import { describe, expect, it, vi } from 'vitest';
import { Accounts } from '../../src/app/accounts.js';
import { ManualClock, cryptoRandom } from '../../src/app/ports.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

describe('account authentication under a burst of new connections', () => {
  it('checks the same credentials once when they arrive together, and still refuses a wrong password', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const accounts = new Accounts(store, new ManualClock(0), cryptoRandom, 'sandbox');
    const created = await accounts.create('burst', 'burst-password-1');
    const lookups = vi.spyOn(store, 'getAccountByUsername');
    const [right, wrong] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => accounts.authenticate('burst', 'burst-password-1'))),
      Promise.all(Array.from({ length: 5 }, () => accounts.authenticate('burst', 'not-the-password'))),
    ]);
    expect(right.every((a) => a?.id === created.id)).toBe(true);
    expect(wrong.every((a) => a === undefined)).toBe(true);
    expect(lookups).toHaveBeenCalledTimes(2); // one verification per distinct credential pair
    expect((await accounts.authenticate('burst', 'burst-password-1'))?.id).toBe(created.id);
    expect(await accounts.authenticate('burst', 'not-the-password')).toBeUndefined();
    await store.close();
  });
});
