import { describe, it } from 'vitest';
import { openTestPostgres, postgresAvailable } from '../support/postgres.js';
import { storeContract } from './contract.js';

// Skipped only outside CI when no PostgreSQL is reachable; in CI (CI=true) an unreachable server fails.
if (await postgresAvailable()) storeContract('postgres', openTestPostgres);
else describe.skip('store contract: postgres (no server reachable; set KASSA_TEST_DATABASE_URL)', () => it('skipped', () => undefined));
