/**
 * The SQLite store with its writer thread (how `npm start` opens a data file) passes the same
 * store contract as the inline store: writes run on the writer thread, reads on this one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ConcurrencyConflict, DuplicateKey } from '../../src/store/port.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storeContract } from './contract.js';

const open = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-writer-'));
  const store = new SqliteStore({ path: join(dir, 'kassa.db'), writer: 'thread' });
  await store.migrate();
  return { store, drop: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
};

storeContract('sqlite (file, writer thread)', open);

it('carries conflict and duplicate-key errors across the thread boundary as themselves', async () => {
  const { store, drop } = await open();
  await store.createAccount({ id: 'a', username: 'a', secretHash: 'x', createdAt: 0, clockOffsetMs: 0, isDefault: false });
  await expect(store.createAccount({ id: 'b', username: 'a', secretHash: 'x', createdAt: 0, clockOffsetMs: 0, isDefault: false })).rejects.toBeInstanceOf(DuplicateKey);
  await expect(store.commit({ aggregates: [{ accountId: 'a', type: 't', id: '1', expectedVersion: 3, state: {}, now: 0 }] })).rejects.toBeInstanceOf(ConcurrencyConflict);
  await expect(store.commit({ idempotency: { accountId: 'a', key: 'k', scope: 's', statusCode: 200, headers: {}, body: '', createdAt: 0 } })).resolves.toBeUndefined();
  const dup = await store.commit({ idempotency: { accountId: 'a', key: 'k', scope: 's', statusCode: 200, headers: {}, body: '', createdAt: 0 } }).catch((e) => e);
  expect(dup).toBeInstanceOf(DuplicateKey);
  expect((dup as DuplicateKey).what).toBe('idempotency');
  await drop();
});
