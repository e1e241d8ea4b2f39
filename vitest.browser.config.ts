/**
 * Browser tests (npm run test:browser; the last step of `npm test`): the demo checkout, the JS SDK
 * and the purchase journey in Debian's Chromium (/usr/bin/chromium, package `chromium`), driven by
 * playwright-core, against a Kassa listening on a real socket. Without Chromium they are skipped,
 * with one line saying how to install it (test/browser/support/global-setup.ts); with CI=true its
 * absence fails the run.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { chromiumDecision, chromiumPath } from './test/support/skip-notices.js';

const chromium = chromiumPath(process.env);
const skip = 'notice' in chromiumDecision({ path: chromium, exists: existsSync(chromium), ci: process.env.CI === 'true' });

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/support/global-setup.ts'],
    // No Chromium (outside CI): every test is filtered out, so each is reported as skipped and no
    // file's beforeAll tries to launch it.
    ...(skip ? { testNamePattern: /^$ no Chromium/ } : {}),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each file starts its own Kassa and Chromium; two at a time keeps a CI box responsive.
    maxWorkers: 2,
  },
});
