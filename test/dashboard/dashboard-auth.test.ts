/**
 * The dashboard's sign-in, session cookie and CSRF rules, in-process: every page needs a session
 * (HTTP Basic is not one), the cookie's attributes, a tampered, expired or pre-password-change
 * cookie is refused, sign-out ends the session in the browser, and a cross-site or token-less POST
 * changes nothing.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { routeTable } from '../../src/http/app.js';
import { dashboardLimits, limits } from '../../src/domain/limits.js';
import { cookiesOf, fieldOf, form, signIn } from '../support/dashboard.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { getOrder, newOrder } from '../support/om.js';

let t: TestKassa;
beforeAll(async () => (t = await startTestKassa()));
afterAll(async () => t.close());

const dashboardRoutes = () =>
  routeTable(t.kassa.app)
    .filter((r) => r.url.startsWith('/dashboard') && r.method !== 'HEAD')
    .filter((r) => r.url !== '/dashboard/sign-in' && r.url !== '/dashboard/static/:file');
const fill = (url: string) => url.replace(':kind', 'orders').replace(/:[a-z_]+/g, 'some-id');

describe('without a session', () => {
  it('every page sends the browser to sign in, and every action and live stream is refused', async () => {
    const routes = dashboardRoutes();
    expect(routes.length).toBeGreaterThan(15);
    for (const r of routes) {
      const url = fill(r.url);
      for (const headers of [{}, { authorization: t.merchant.authorization }, { cookie: 'kassa_dashboard=forged.value' }] as Record<string, string>[]) {
        const res = await t.request(r.method, url, { merchant: null, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: r.method === 'POST' ? 'amount=1' : undefined });
        if (r.method === 'GET' && !url.endsWith('/live')) {
          expect(res.statusCode, `${r.method} ${url}`).toBe(303);
          expect(res.headers.location).toBe(`/dashboard/sign-in?next=${encodeURIComponent(url)}`);
        } else {
          expect(res.statusCode, `${r.method} ${url}: ${res.body.slice(0, 200)}`).toBe(401);
        }
      }
    }
  });

  it('the sign-in page needs nothing and says what to use', async () => {
    const res = await t.request('GET', '/dashboard/sign-in', { merchant: null });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('API credentials');
  });
});

describe('signing in', () => {
  const attempt = async (fields: Record<string, string>, opts: { preCookie?: boolean; origin?: string } = {}) => {
    const page = await t.request('GET', '/dashboard/sign-in', { merchant: null });
    const pre = cookiesOf(page).kassa_dashboard_pre!;
    return t.request('POST', '/dashboard/sign-in', {
      merchant: null,
      headers: { ...(opts.preCookie === false ? {} : { cookie: `kassa_dashboard_pre=${pre}` }), 'content-type': 'application/x-www-form-urlencoded', ...(opts.origin ? { origin: opts.origin } : {}) },
      body: form({ _pre: fieldOf(page.body, '_pre')!, ...fields }),
    });
  };

  it('with the API credentials sets an HttpOnly, SameSite=Strict cookie on /dashboard and goes where the user was going', async () => {
    const res = await attempt({ username: t.merchant.username, password: t.merchant.password, next: '/dashboard/orders?state=AUTHORIZED' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/dashboard/orders?state=AUTHORIZED');
    const cookie = [res.headers['set-cookie']].flat().find((c) => String(c).startsWith('kassa_dashboard='))!;
    expect(cookie).toMatch(/; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    expect(cookie).not.toContain('Secure');
    expect(cookie).not.toContain(t.merchant.password);
  });

  it('never redirects off the dashboard after signing in', async () => {
    for (const next of ['https://evil.example/', '//evil.example/dashboard', '/dashboardx', '/\\evil.example']) {
      const res = await attempt({ username: t.merchant.username, password: t.merchant.password, next });
      expect(res.headers.location, next).toBe('/dashboard');
    }
  });

  it('a wrong password, an unknown user or empty fields: 401, no session', async () => {
    for (const fields of [
      { username: t.merchant.username, password: 'wrong' },
      { username: 'nobody-here', password: t.merchant.password },
      { username: '', password: '' },
    ]) {
      const res = await attempt(fields);
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('Wrong username or password');
      expect(cookiesOf(res).kassa_dashboard).toBeUndefined();
    }
  });

  it(`throttles failed sign-ins like HTTP Basic: beyond ${limits.signInFailuresPerUsernameMax} per username, 429 with Retry-After; the API shares the count`, async () => {
    const own = await startTestKassa();
    try {
      const victim = await own.createMerchant('dash-throttled');
      const signInAs = async (password: string) => {
        const page = await own.request('GET', '/dashboard/sign-in', { merchant: null });
        return own.request('POST', '/dashboard/sign-in', {
          merchant: null,
          headers: { cookie: `kassa_dashboard_pre=${cookiesOf(page).kassa_dashboard_pre}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: form({ _pre: fieldOf(page.body, '_pre')!, username: victim.username, password }),
        });
      };
      for (let i = 0; i < limits.signInFailuresPerUsernameMax; i++) expect((await signInAs(`wrong-${i}`)).statusCode).toBe(401);
      const refused = await signInAs(victim.password);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).toContain('Too many failed sign-ins');
      expect(cookiesOf(refused).kassa_dashboard).toBeUndefined();
      // The API's HTTP Basic counts the same failures.
      expect((await own.request('GET', '/ordermanagement/v1/orders/some-id', { merchant: victim })).statusCode).toBe(429);
      own.clock.advance(limits.signInThrottleWindowMs + 1000);
      expect((await signInAs(victim.password)).statusCode).toBe(303);
    } finally {
      await own.close();
    }
  });

  it('a sign-in posted from another site, or without the form token, is refused', async () => {
    const good = { username: t.merchant.username, password: t.merchant.password };
    expect((await attempt(good, { preCookie: false })).statusCode).toBe(403);
    expect((await attempt(good, { origin: 'https://evil.example' })).statusCode).toBe(403);
  });

  it('Secure is set when Kassa is served over https', async () => {
    const secure = await startTestKassa({ env: { KASSA_PUBLIC_URL: 'https://kassa.example' } });
    try {
      const page = await secure.request('GET', '/dashboard/sign-in', { merchant: null });
      expect(String([page.headers['set-cookie']].flat()[0])).toContain('; Secure');
      const user = await signIn(secure);
      expect(user.cookie).toMatch(/^kassa_dashboard=/);
    } finally {
      await secure.close();
    }
  });
});

describe('the session', () => {
  it('a tampered cookie is no session', async () => {
    const user = await signIn(t);
    const [body, sig] = user.cookie.slice('kassa_dashboard='.length).split('.');
    const other = await t.createMerchant();
    const swapped = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), a: other.accountId })).toString('base64url');
    for (const cookie of [`kassa_dashboard=${swapped}.${sig}`, `kassa_dashboard=${body}.${sig}x`, `kassa_dashboard=${body}`]) {
      const res = await t.request('GET', '/dashboard', { merchant: null, headers: { cookie } });
      expect(res.statusCode, cookie).toBe(303);
    }
  });

  it(`ends ${dashboardLimits.sessionTtlMs / 3600_000} hours after signing in`, async () => {
    const own = await startTestKassa();
    try {
      const user = await signIn(own);
      own.clock.advance(dashboardLimits.sessionTtlMs - 1000);
      expect((await user.get('/dashboard')).statusCode).toBe(200);
      own.clock.advance(1000);
      expect((await user.get('/dashboard')).statusCode).toBe(303);
    } finally {
      await own.close();
    }
  });

  it('ends when the account password changes (the cookie is bound to the stored secret)', async () => {
    // A password changes from another process (the CLI), so it is written through a connection of
    // its own to a database file, as the store's caches would see it.
    const dir = mkdtempSync(join(tmpdir(), 'kassa-dash-secret-'));
    const path = join(dir, 'kassa.db');
    const own = await startTestKassa({ store: new SqliteStore({ path }) });
    try {
      const merchant = await own.createMerchant();
      const user = await signIn(own, merchant);
      expect((await user.get('/dashboard')).statusCode).toBe(200);
      const cli = new Database(path);
      cli.prepare('UPDATE accounts SET secret_hash = ? WHERE id = ?').run('scrypt$AAAA$BBBB', merchant.accountId);
      cli.close();
      expect((await user.get('/dashboard')).statusCode).toBe(303);
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sign-out clears the cookie', async () => {
    const user = await signIn(t);
    const res = await user.post('/dashboard/sign-out');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/dashboard/sign-in?signed_out=1');
    expect(String([res.headers['set-cookie']].flat()[0])).toMatch(/^kassa_dashboard=; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=0/);
  });
});

describe('CSRF', () => {
  it('a cross-site POST, or one without the session token, is refused and changes nothing', async () => {
    const orderId = await newOrder(t);
    const user = await signIn(t);
    const url = `/dashboard/orders/${orderId}/capture`;
    const attempts = [
      await user.post(url, { amount: '1000', _csrf: '' }),
      await user.post(url, { amount: '1000', _csrf: 'x'.repeat(32) }),
      await user.post(url, { amount: '1000' }, { origin: 'https://evil.example' }),
      await user.post(url, { amount: '1000' }, { origin: 'null' }),
      await user.post(url, { amount: '1000' }, { 'sec-fetch-site': 'cross-site' }),
    ];
    for (const res of attempts) expect(res.statusCode, res.body.slice(0, 300)).toBe(403);
    expect((await getOrder(t, orderId)).captured_amount).toBe(0);
    // The same form from the dashboard's own page works.
    const ok = await user.post(url, { amount: '1000' }, { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' });
    expect(ok.statusCode, ok.body.slice(0, 300)).toBe(303);
    expect((await getOrder(t, orderId)).captured_amount).toBe(1000);
  });

  it("one account's CSRF token does not work in another's session", async () => {
    const orderId = await newOrder(t);
    const mine = await signIn(t);
    const other = await signIn(t, await t.createMerchant());
    const res = await mine.post(`/dashboard/orders/${orderId}/capture`, { amount: '1000', _csrf: other.csrf });
    expect(res.statusCode).toBe(403);
  });
});
