/**
 * Opens the store the configuration names: embedded SQLite (default) or PostgreSQL. A SQLite data
 * file gets its writer thread, so fsyncs never block the HTTP event loop (docs/performance.md).
 */
import type { StoreConfig } from '../config/config.js';
import type { Store } from './port.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export function openStore(config: StoreConfig): Store {
  return config.kind === 'sqlite' ? new SqliteStore({ path: config.path, writer: 'thread' }) : new PostgresStore({ connectionString: config.url });
}
