/**
 * Failed sign-ins over HTTP (issue 17): at the limit still 401, beyond it 429 with Retry-After in
 * Klarna's error shape (v1 and v2) before any hashing, and the right password works again once the
 * window has passed on the injected clock.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { limits } from '../../src/domain/limits.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa;
beforeEach(async () => {
  t = await startTestKassa();
});
afterEach(async () => t.close());

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const get = (url: string, authorization: string, remoteAddress = '203.0.113.5') => t.kassa.app.inject({ method: 'GET', url, headers: { authorization }, remoteAddress });

it('answers 401 up to the per-username limit, then 429 with Retry-After even for the right password, until the window ends', async () => {
  const wrong = basic(t.merchant.username, 'wrong-password');
  // From different addresses, so only the username's limit applies.
  for (let i = 0; i < limits.signInFailuresPerUsernameMax; i++) expect((await get('/payments/v1/sessions/x', wrong, `203.0.113.${i}`)).statusCode).toBe(401);
  const verify = vi.spyOn(t.kassa.deps.accounts, 'authenticate');
  const refused = await get('/payments/v1/sessions/x', wrong, '203.0.113.200');
  expect(refused.statusCode).toBe(429);
  expect(refused.headers['retry-after']).toBe(String(limits.signInThrottleWindowMs / 1000));
  expect(refused.json()).toMatchObject({ error_code: 'TOO_MANY_REQUESTS', correlation_id: refused.headers['klarna-correlation-id'] });
  expect(refused.json().error_messages[0]).toMatch(/Too many failed sign-ins/);
  const v2 = await get('/v2/notification/webhooks', t.merchant.authorization, '203.0.113.201');
  expect(v2.statusCode).toBe(429);
  expect(v2.json()).toMatchObject({ error_type: 'RESOURCE_ERROR', error_code: 'RATE_LIMITED' });
  expect(verify).not.toHaveBeenCalled(); // no scrypt spent on throttled attempts

  t.clock.advance(limits.signInThrottleWindowMs);
  expect((await get('/v2/notification/webhooks', t.merchant.authorization)).statusCode).toBe(200);
});

it('throttles one address guessing at many usernames, and not other addresses', async () => {
  for (let i = 0; i < limits.signInFailuresPerAddressMax; i++) expect((await get('/v2/notification/webhooks', basic(`guess${i}`, 'x'), '198.51.100.9')).statusCode).toBe(401);
  expect((await get('/v2/notification/webhooks', basic('guess-more', 'x'), '198.51.100.9')).statusCode).toBe(429);
  expect((await get('/v2/notification/webhooks', t.merchant.authorization, '198.51.100.10')).statusCode).toBe(200);
});

it('lets at most the limit of a parallel burst of wrong passwords reach verification', async () => {
  const verify = vi.spyOn(t.kassa.deps.accounts, 'authenticate');
  const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => get('/v2/notification/webhooks', basic(t.merchant.username, `wrong-${i}`), `192.0.2.${i}`)));
  const statuses = answers.map((a) => a.statusCode);
  expect(statuses.filter((s) => s === 401)).toHaveLength(limits.signInFailuresPerUsernameMax);
  expect(statuses.filter((s) => s === 429)).toHaveLength(60 - limits.signInFailuresPerUsernameMax);
  expect(verify).toHaveBeenCalledTimes(limits.signInFailuresPerUsernameMax);
});

it('lets a burst of requests with the right password through, however many arrive at once', async () => {
  const answers = await Promise.all(Array.from({ length: 60 }, () => get('/v2/notification/webhooks', t.merchant.authorization, '192.0.2.77')));
  expect(answers.map((a) => a.statusCode)).toEqual(Array(60).fill(200));
});

it('does not count requests without credentials', async () => {
  for (let i = 0; i < limits.signInFailuresPerAddressMax + 5; i++) expect((await t.kassa.app.inject({ method: 'GET', url: '/v2/notification/webhooks', remoteAddress: '192.0.2.50' })).statusCode).toBe(401);
  expect((await get('/v2/notification/webhooks', t.merchant.authorization, '192.0.2.50')).statusCode).toBe(200);
});
