/**
 * Browser tests (npm run test:browser): the demo checkout, the JS SDK and the purchase journey in
 * Debian's Chromium (/usr/bin/chromium, package `chromium`), driven by playwright-core, against a
 * Kassa listening on a real socket. Kept apart from `npm test` so that a machine without Chromium
 * can still run the unit suite; CI installs the package and runs both.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each file starts its own Kassa and Chromium; two at a time keeps a CI box responsive.
    maxWorkers: 2,
  },
});
