/** Opens the store the configuration names: embedded SQLite (default) or PostgreSQL. */
import type { StoreConfig } from '../config/config.js';
import type { Store } from './port.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/**
 * `soleProcess`: this is the only Kassa process on the store (a server with KASSA_WORKERS=1). On
 * SQLite it then holds the file while it writes (src/store/sqlite/exclusive-lock.ts); a command-line
 * tool, or a cluster's workers, share it.
 */
export function openStore(config: StoreConfig, options: { soleProcess?: boolean } = {}): Store {
  return config.kind === 'sqlite' ? new SqliteStore({ path: config.path, exclusive: options.soleProcess }) : new PostgresStore({ connectionString: config.url });
}
