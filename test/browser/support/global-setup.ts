/**
 * Runs once before the browser tests (vitest.browser.config.ts `globalSetup`): without Chromium
 * they are skipped (the config filters every test out) and this says so in one line, with how to
 * install it; with CI=true a missing Chromium fails the run here, before any test starts.
 */
import { existsSync } from 'node:fs';
import { chromiumDecision, chromiumPath } from '../../support/skip-notices.js';

export default function setup(): void {
  const path = chromiumPath(process.env);
  const decision = chromiumDecision({ path, exists: existsSync(path), ci: process.env.CI === 'true' });
  if ('fail' in decision) throw new Error(decision.fail);
  if ('notice' in decision) console.log(decision.notice);
}
