/**
 * The decisions behind the one-line notices of a run without Chromium or PostgreSQL
 * (test/support/skip-notices.ts): skip with a notice that says how to get it, fail in CI, run when
 * it is there. The whole path is also tried for real with KASSA_TEST_CHROMIUM_PATH=/nonexistent.
 */
import { describe, expect, it } from 'vitest';
import { chromiumDecision, chromiumPath, debianChromiumPath, postgresDecision, redactUrl } from './skip-notices.js';

describe('Chromium for the browser tests', () => {
  it("is Debian's /usr/bin/chromium unless KASSA_TEST_CHROMIUM_PATH points elsewhere", () => {
    expect(chromiumPath({})).toBe(debianChromiumPath);
    expect(chromiumPath({ KASSA_TEST_CHROMIUM_PATH: '' })).toBe('/usr/bin/chromium');
    expect(chromiumPath({ KASSA_TEST_CHROMIUM_PATH: '/nonexistent/chromium' })).toBe('/nonexistent/chromium');
  });

  it('runs the tests when it is there, in CI or not', () => {
    expect(chromiumDecision({ path: '/usr/bin/chromium', exists: true, ci: false })).toEqual({ run: true });
    expect(chromiumDecision({ path: '/usr/bin/chromium', exists: true, ci: true })).toEqual({ run: true });
  });

  it('missing outside CI: skips, with one line naming the path and the package to install', () => {
    const decision = chromiumDecision({ path: '/nonexistent/chromium', exists: false, ci: false });
    expect(decision).toEqual({ run: false, notice: expect.stringContaining('/nonexistent/chromium') });
    const notice = (decision as { notice: string }).notice;
    expect(notice).toMatch(/^Browser tests skipped: /);
    expect(notice).toContain('apt-get install chromium');
    expect(notice).not.toContain('\n');
  });

  it('missing in CI: fails the run', () => {
    const decision = chromiumDecision({ path: '/usr/bin/chromium', exists: false, ci: true });
    expect(decision).toEqual({ fail: expect.stringMatching(/must run in CI.*no Chromium at \/usr\/bin\/chromium.*apt-get install chromium/) });
  });
});

describe('PostgreSQL for the PostgreSQL tests', () => {
  const url = 'postgres://kassa:s3cret@127.0.0.1:5432/test';

  it('runs them when it answers', () => {
    expect(postgresDecision({ url, ci: false })).toEqual({ run: true });
  });

  it('unreachable outside CI: skips, with one line naming the server (not its password) and the setting', () => {
    const decision = postgresDecision({ url, error: 'ECONNREFUSED', ci: false });
    expect(decision).toEqual({ run: false, notice: expect.stringMatching(/^PostgreSQL tests skipped: .*127\.0\.0\.1:5432.*ECONNREFUSED.*KASSA_TEST_DATABASE_URL/) });
    const notice = (decision as { notice: string }).notice;
    expect(notice).not.toContain('s3cret');
    expect(notice).not.toContain('\n');
  });

  it('unreachable in CI: no notice; each PostgreSQL test file fails with the reason (test/support/postgres.ts)', () => {
    expect(postgresDecision({ url, error: 'ECONNREFUSED', ci: true })).toEqual({ run: true });
  });

  it('redacts only the password of a URL, and names the setting for one it cannot parse', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/test')).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(redactUrl(url)).toBe('postgres://kassa:***@127.0.0.1:5432/test');
    expect(redactUrl('not a url')).toBe('KASSA_TEST_DATABASE_URL');
  });
});
