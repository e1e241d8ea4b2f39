/** Opens the store the configuration names: embedded SQLite (default) or PostgreSQL. */
import type { StoreConfig } from '../config/config.js';
import type { Store } from './port.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export function openStore(config: StoreConfig): Store {
  return config.kind === 'sqlite' ? new SqliteStore({ path: config.path }) : new PostgresStore({ connectionString: config.url });
}
