/**
 * What the test run does when something outside npm is missing: Debian's Chromium for the browser
 * tests, a PostgreSQL server for the PostgreSQL tests. Outside CI the tests that need it are
 * skipped and the run says so in one line that tells a newcomer how to get it; in CI (`CI=true`)
 * it must be there, and its absence fails the run. Pure decisions, so they are tested without
 * removing anything from the machine (test/support/skip-notices.test.ts).
 */

export type Decision = { run: true } | { run: false; notice: string } | { fail: string };

/** Debian's package (`apt-get install chromium`) installs it here. */
export const debianChromiumPath = '/usr/bin/chromium';

/**
 * Where the browser tests look for Chromium. KASSA_TEST_CHROMIUM_PATH exists only to try the
 * missing-Chromium path on a machine that has it (point it at a path that does not exist).
 */
export function chromiumPath(env: NodeJS.ProcessEnv): string {
  return env.KASSA_TEST_CHROMIUM_PATH || debianChromiumPath;
}

export function chromiumDecision(options: { path: string; exists: boolean; ci: boolean }): Decision {
  if (options.exists) return { run: true };
  if (options.ci) return { fail: `The browser tests must run in CI (CI=true) but there is no Chromium at ${options.path}: install Debian's package (apt-get install chromium).` };
  return { run: false, notice: `Browser tests skipped: no Chromium at ${options.path}. To run them, install Debian's package: apt-get install chromium` };
}

export function postgresDecision(options: { url: string; error?: string; ci: boolean }): Decision {
  if (options.error === undefined) return { run: true };
  // In CI each PostgreSQL test file fails on its own with the reason (test/support/postgres.ts).
  if (options.ci) return { run: true };
  return {
    run: false,
    notice: `PostgreSQL tests skipped: ${redactUrl(options.url)} is unreachable (${options.error}). To run them, start PostgreSQL there or set KASSA_TEST_DATABASE_URL.`,
  };
}

/** A database URL without its password, fit for a notice. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'KASSA_TEST_DATABASE_URL';
  }
}
