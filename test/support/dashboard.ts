/**
 * A signed-in dashboard user for in-process HTTP tests: signs in through the sign-in form (its
 * double-submit cookie and field), keeps the session cookie, and posts forms with the CSRF token
 * and a fresh one-time key the way the pages' own forms do.
 */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Merchant, TestKassa } from './harness.js';

export interface DashboardUser {
  cookie: string;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, fields?: Record<string, string>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return Object.fromEntries(list.map((c) => c.split(';')[0]!.split('=')).map(([k, ...v]) => [k!, v.join('=')]));
}

export function fieldOf(body: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];
}

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

export async function signIn(t: TestKassa, merchant: Merchant = t.merchant): Promise<DashboardUser> {
  const page = await t.request('GET', '/dashboard/sign-in', { merchant: null });
  const pre = cookiesOf(page).kassa_dashboard_pre!;
  const res = await t.request('POST', '/dashboard/sign-in', {
    merchant: null,
    headers: { cookie: `kassa_dashboard_pre=${pre}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ _pre: fieldOf(page.body, '_pre')!, username: merchant.username, password: merchant.password }),
  });
  expect(res.statusCode, res.body).toBe(303);
  const cookie = `kassa_dashboard=${cookiesOf(res).kassa_dashboard}`;
  const home = await t.request('GET', '/dashboard', { merchant: null, headers: { cookie } });
  expect(home.statusCode, home.body).toBe(200);
  const csrf = fieldOf(home.body, '_csrf')!;
  let key = 0;
  return {
    cookie,
    csrf,
    get: (url) => t.request('GET', url, { merchant: null, headers: { cookie } }),
    post: (url, fields = {}, headers = {}) =>
      t.request('POST', url, {
        merchant: null,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: form({ _csrf: csrf, _key: `test-form-key-${Date.now()}-${++key}`, ...fields }),
      }),
  };
}
