/**
 * The per-process cache of verified Authorization headers (src/app/credential-cache.ts): a header
 * verified once is answered without a second verification, a changed secret or a removed account
 * drops it, wrong credentials are never remembered, and it stays within its bound.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CredentialCache } from '../../src/app/credential-cache.js';
import { hashSecret } from '../../src/app/accounts.js';
import { limits } from '../../src/domain/limits.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('verified credentials cache', () => {
  let k: TestKassa | undefined;
  afterEach(async () => {
    await k?.close();
    k = undefined;
  });

  it('verifies a header once, then answers it from the cache; wrong credentials are verified every time', async () => {
    k = await startTestKassa();
    const verify = vi.spyOn(k.kassa.deps.accounts, 'authenticate');
    const get = () => k!.kassa.app.inject({ method: 'GET', url: '/sandbox/v1/account', headers: { authorization: k!.merchant.authorization } });
    for (let i = 0; i < 3; i++) expect((await get()).statusCode).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
    const wrong = () => k!.kassa.app.inject({ method: 'GET', url: '/sandbox/v1/account', headers: { authorization: basic(k!.merchant.username, 'wrong-password-1') } });
    expect((await wrong()).statusCode).toBe(401);
    expect((await wrong()).statusCode).toBe(401);
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it('drops an entry when the account read for a request carries another secret, or is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-credentials-'));
    const path = join(dir, 'kassa.db');
    const store = new SqliteStore({ path });
    try {
      const account = { id: 'krn:partner:global:account:test:AAAAAAAA', username: 'm', secretHash: await hashSecret('first-secret-1'), createdAt: 0, clockOffsetMs: 0, isDefault: false };
      await store.createAccount(account);
      const cache = new CredentialCache(store);
      const header = basic('m', 'first-secret-1');
      expect(await cache.lookup(header)).toBeUndefined();
      cache.remember(header, account);
      expect((await cache.lookup(header))?.id).toBe(account.id);

      // Another process (the CLI, a second worker) gives the account a new secret.
      const other = new Database(path);
      other.prepare('UPDATE accounts SET secret_hash = ? WHERE id = ?').run(await hashSecret('second-secret-2'), account.id);
      expect(await cache.lookup(header)).toBeUndefined();
      expect(cache.size).toBe(0);

      const renewed = (await store.getAccount(account.id))!;
      cache.remember(header, renewed);
      other.prepare('DELETE FROM accounts WHERE id = ?').run(account.id);
      other.close();
      expect(await cache.lookup(header)).toBeUndefined();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds at most limits.credentialCacheEntriesMax headers by default', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const account = { id: 'krn:partner:global:account:test:BOUNDED1', username: 'b', secretHash: 'scrypt$b', createdAt: 0, clockOffsetMs: 0, isDefault: false };
    await store.createAccount(account);
    const cache = new CredentialCache(store);
    for (let i = 0; i <= limits.credentialCacheEntriesMax; i++) cache.remember(`Basic header-${i}`, account);
    expect(cache.size).toBe(limits.credentialCacheEntriesMax);
    expect(await cache.lookup('Basic header-0')).toBeUndefined();
    expect((await cache.lookup(`Basic header-${limits.credentialCacheEntriesMax}`))?.id).toBe(account.id);
    await store.close();
  });

  it('keeps at most its bound, dropping the least recently used', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const accounts = ['A', 'B', 'C'].map((c) => ({ id: `krn:partner:global:account:test:${c.repeat(8)}`, username: c, secretHash: `scrypt$${c}`, createdAt: 0, clockOffsetMs: 0, isDefault: false }));
    for (const a of accounts) await store.createAccount(a);
    const cache = new CredentialCache(store, 2);
    cache.remember('h-a', accounts[0]!);
    cache.remember('h-b', accounts[1]!);
    expect((await cache.lookup('h-a'))?.username).toBe('A'); // A is now the most recently used
    cache.remember('h-c', accounts[2]!);
    expect(cache.size).toBe(2);
    expect(await cache.lookup('h-b')).toBeUndefined();
    expect((await cache.lookup('h-a'))?.username).toBe('A');
    expect((await cache.lookup('h-c'))?.username).toBe('C');
    await store.close();
  });
});
