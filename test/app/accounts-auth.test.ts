import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { Accounts, defaultScryptCost, hashSecret, verifySecret } from '../../src/app/accounts.js';
import { loadConfig } from '../../src/config/config.js';
import { createKassa } from '../../src/kassa.js';
import { testScryptCost } from '../support/harness.js';
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

describe('the cost of hashing secrets', () => {
  it("is Node's scrypt default in a Kassa built without the test harness's cheaper setting", async () => {
    expect(defaultScryptCost).toEqual({ N: 16384, r: 8, p: 1 });
    const kassa = await createKassa(loadConfig({ KASSA_LOG_LEVEL: 'silent', DATABASE_URL: 'sqlite::memory:' }, process.cwd()), { logger: pino({ level: 'silent' }) });
    try {
      const account = await kassa.deps.accounts.create('full-cost', 'full-cost-password-1');
      expect(await verifySecret('full-cost-password-1', account.secretHash, defaultScryptCost)).toBe(true);
      expect(await verifySecret('full-cost-password-1', account.secretHash, testScryptCost)).toBe(false);
      expect(await verifySecret('wrong-password', account.secretHash)).toBe(false);
    } finally {
      await kassa.close();
    }
  });

  it("the harness's cheaper cost hashes and verifies with the same code, and only with that cost", async () => {
    const stored = await hashSecret('cheap-password-1', testScryptCost);
    expect(stored).toMatch(/^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifySecret('cheap-password-1', stored, testScryptCost)).toBe(true);
    expect(await verifySecret('cheap-password-2', stored, testScryptCost)).toBe(false);
    expect(await verifySecret('cheap-password-1', stored)).toBe(false);
  });
});

describe('a changed password', () => {
  it('no longer signs in with the old one, though the old pair was verified before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-accounts-'));
    const path = join(dir, 'kassa.db');
    const store = new SqliteStore({ path });
    await store.migrate();
    const accounts = new Accounts(store, new ManualClock(0), cryptoRandom, 'sandbox', testScryptCost);
    const created = await accounts.create('changer', 'old-password-1');
    expect((await accounts.authenticate('changer', 'old-password-1'))?.id).toBe(created.id);
    // The CLI changes it from another process: another connection to the same file.
    const cli = new Database(path);
    cli.prepare('UPDATE accounts SET secret_hash = ? WHERE id = ?').run(await hashSecret('new-password-1', testScryptCost), created.id);
    cli.close();
    expect(await accounts.authenticate('changer', 'old-password-1')).toBeUndefined();
    expect((await accounts.authenticate('changer', 'new-password-1'))?.id).toBe(created.id);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
