/**
 * Basic credentials that differ from the right ones only in ways a hash could miss (issue 17):
 * scrypt's HMAC pads a short key with NUL bytes, so `password\0` once signed in. Every such
 * variant, and every near miss, is 401; only the exact password is 200.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa;
beforeEach(async () => {
  t = await startTestKassa();
});
afterEach(async () => t.close());

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

async function status(password: string, username = t.merchant.username): Promise<number> {
  const res = await t.kassa.app.inject({ method: 'GET', url: '/v2/notification/webhooks', headers: { authorization: basic(username, password) } });
  if (res.statusCode === 401) expect(res.json()).toMatchObject({ error_code: 'UNAUTHORIZED' });
  return res.statusCode;
}

it('refuses the password with NUL bytes or other control characters appended, inside or in front', async () => {
  const p = t.merchant.password;
  expect(await status(p)).toBe(200);
  for (const variant of [`${p}\u0000`, `${p}\u0000\u0000`, `\u0000${p}`, `${p.slice(0, 3)}\u0000${p.slice(3)}`, `${p}\t`, `${p}\n`, `${p}\u007f`]) {
    expect(await status(variant), JSON.stringify(variant)).toBe(401);
  }
  // The right password still works after all those (nothing was cached or locked by them).
  expect(await status(p)).toBe(200);
});

it('refuses near misses: one character changed, one missing, one extra, another case', async () => {
  const p = t.merchant.password;
  for (const variant of [`${p.slice(0, -1)}X`, p.slice(0, -1), `${p} `, `${p}x`, p.toUpperCase()]) {
    expect(await status(variant), JSON.stringify(variant)).toBe(401);
  }
  expect(await status(p)).toBe(200);
});

it('refuses to create an account whose password holds a control character', async () => {
  await expect(t.kassa.deps.accounts.create('ctl-user', 'password\u0000')).rejects.toThrow(/control characters/);
});
