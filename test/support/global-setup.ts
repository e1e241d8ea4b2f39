/**
 * Runs once before `vitest run` (vitest.config.ts `globalSetup`): when the PostgreSQL tests are
 * going to skip because no server answers, says so in one line instead of skipping silently.
 */
import { postgresDecision } from './skip-notices.js';
import { postgresUnreachable, testDatabaseUrl } from './postgres.js';

export default async function setup(): Promise<void> {
  const decision = postgresDecision({ url: testDatabaseUrl, error: await postgresUnreachable(), ci: process.env.CI === 'true' });
  if ('notice' in decision) console.log(decision.notice);
}
