/**
 * `vitest run` (the second step of `npm test`): every test but the browser ones.
 *
 * Speed, on the 2-core development machine: one worker per core (Vitest's default leaves one core
 * idle); workers are reused across files (`isolate: false`), so Fastify, the sources and the
 * compiled route schemas are loaded once per worker instead of once per file; and the files that
 * run Kassa processes for a minute start first (test/support/slow-first-sequencer.ts). Test files
 * must therefore leave no global state behind: restore spies, remove process listeners, close
 * what they open.
 */
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/support/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: Math.max(2, availableParallelism() - 1),
    isolate: false,
    restoreMocks: true,
    sequence: { sequencer: SlowFirstSequencer },
  },
});
