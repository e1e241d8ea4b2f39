import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storeContract } from './contract.js';

storeContract('sqlite (file, WAL, synchronous=FULL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-store-'));
  const store = new SqliteStore({ path: join(dir, 'kassa.db') });
  await store.migrate();
  return { store, drop: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
});
