/**
 * Secrets: a run seeded with canary secrets (a merchant password, the client-token signing secret)
 * and every token Kassa hands out (client tokens, authorization tokens, customer tokens, …) walks
 * the lifecycles and their error paths with the server's own logger (createLogger, its redactions)
 * at the most verbose level, writing to a buffer. None of them may appear in the log, nor in any
 * error body or header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createLogger } from '../../src/kassa.js';
import { swedishOrder } from '../fixtures/orders.js';
import { startTestKassa, type Merchant, type TestKassa } from '../support/harness.js';
import { fillPath, hiddenOperations, operationKey, operationsOf } from './support/openapi.js';
import { routeTable } from '../../src/http/app.js';
import { buildWorld, idOf, type World } from './support/world.js';
import { nasties } from './fuzz/nasties.js';
import { Prng } from './support/prng.js';
import { seedBodies } from './fuzz/run-fuzz.js';

const canaryPassword = 'CANARY-merchant-password-5b1f0e';
const canaryTokenSecret = 'CANARY-client-token-signing-secret-0123456789abcdef';

const log: string[] = [];
const answers: { what: string; res: LightMyRequestResponse }[] = [];
let t: TestKassa;
let merchant: Merchant;
let world: World;

beforeAll(async () => {
  const logger = createLogger({ logLevel: 'trace' }, { write: (line: string) => void log.push(line) });
  t = await startTestKassa({ logger, env: { KASSA_TOKEN_SECRET: canaryTokenSecret } });
  const account = await t.kassa.deps.accounts.create('canary_merchant', canaryPassword);
  merchant = { username: 'canary_merchant', password: canaryPassword, accountId: account.id, authorization: `Basic ${Buffer.from(`canary_merchant:${canaryPassword}`).toString('base64')}` };
  world = await buildWorld(t, merchant);
});
afterAll(async () => t.close());

async function call(what: string, method: string, url: string, options: { body?: unknown; headers?: Record<string, string>; merchant?: Merchant | null } = {}) {
  const res = await t.request(method, url, { merchant: merchant, ...options });
  answers.push({ what, res });
  return res;
}

describe('no secret in logs or error bodies', () => {
  it('walks the happy paths and the error paths with secrets in every place a client might put them', async () => {
    const secrets = world.secrets;
    const token = world.ids.get('authorizationtoken')!;
    const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

    // Bad credentials that carry the real password or tokens.
    await call('wrong user, real password', 'GET', '/sandbox/v1/account', { merchant: null, headers: basic('someone_else', canaryPassword) });
    await call('real user, password with a suffix', 'GET', '/sandbox/v1/account', { merchant: null, headers: basic('canary_merchant', `${canaryPassword}x`) });
    await call('token as password', 'GET', '/sandbox/v1/account', { merchant: null, headers: basic('canary_merchant', token) });
    await call('bearer token', 'GET', '/sandbox/v1/account', { merchant: null, headers: { authorization: `Bearer ${token}` } });

    // Tokens in paths that do not exist, in malformed bodies, in unknown fields, in bad values.
    for (const secret of secrets) {
      await call('secret in an unknown route', 'POST', `/payments/v1/authorizations/${encodeURIComponent(secret)}/nope`, { body: {} });
      await call('secret as a malformed body', 'POST', '/payments/v1/sessions', { body: `${secret}`, headers: { 'content-type': 'application/json' } });
      await call('secret in truncated JSON', 'POST', '/payments/v1/sessions', { body: `{"authorization_token":"${secret}"`, headers: { 'content-type': 'application/json' } });
      await call('secret in a bad value', 'POST', '/payments/v1/sessions', { body: { ...swedishOrder(), purchase_currency: secret, locale: secret } });
      await call('secret as an id', 'GET', `/payments/v1/sessions/${encodeURIComponent(secret)}`);
      await call('secret as an idempotency key', 'POST', '/payments/v1/sessions', { body: { ...swedishOrder(), order_amount: -1 }, headers: { 'klarna-idempotency-key': secret } });
      await call('secret in an unsupported content type', 'POST', '/payments/v1/sessions', { body: secret, headers: { 'content-type': 'text/plain' } });
    }

    // Consumed, cancelled and reused tokens.
    const order = await call('order', 'POST', `/payments/v1/authorizations/${token}/order`, { body: swedishOrder() });
    expect(order.statusCode).toBe(200);
    await call('consumed token, other body', 'POST', `/payments/v1/authorizations/${token}/order`, { body: { ...swedishOrder(), merchant_reference1: 'x' } });
    await call('cancel consumed token', 'DELETE', `/payments/v1/authorizations/${token}`);
    await t.advance(3 * 3600, merchant);
    await call('expired token', 'POST', `/payments/v1/authorizations/${token}/customer-token`, {
      body: { description: 'x', intended_use: 'SUBSCRIPTION', locale: 'sv-SE', purchase_country: 'SE', purchase_currency: 'SEK' },
    });

    // Every operation with this merchant's ids; every nasty on two operations (round robin).
    const ops = [...operationsOf((await t.request('GET', '/openapi.json', { merchant: null })).json()), ...hiddenOperations(routeTable(t.kassa.app))];
    const rng = new Prng(11);
    const plain = ops.map((op) => {
      const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, p.name === 'kind' ? 'session' : (idOf(world, op.path, p.name) ?? 'x')])));
      const body = op.body ? (seedBodies()[operationKey(op)]?.[0] ?? {}) : undefined;
      return { op, url, body };
    });
    // The journey's endpoints take the client token as a bearer credential, right or wrong.
    const bearer = { authorization: `Bearer ${world.clientToken}` };
    for (const { op, url, body } of plain) {
      await call(`op ${operationKey(op)}`, op.method, url, { body });
      if (op.path.startsWith('/kp/')) {
        await call(`op ${operationKey(op)} with the client token`, op.method, url, { body, merchant: null, headers: bearer });
        await call(`op ${operationKey(op)} with a spoiled client token`, op.method, url, { body, merchant: null, headers: { authorization: `Bearer ${world.clientToken}x` } });
        if (world.journeyToken && op.pathParams.some((p) => p.name === 'kind')) {
          // A payment request's journey: its journey token, right, spoiled, and at the wrong kind.
          const v2Url = fillPath(op.path, { kind: 'payment-request' });
          await call(`op ${operationKey(op)} with the journey token`, op.method, v2Url, { body, merchant: null, headers: { authorization: `Bearer ${world.journeyToken}` } });
          await call(`op ${operationKey(op)} with a spoiled journey token`, op.method, v2Url, { body, merchant: null, headers: { authorization: `Bearer ${world.journeyToken}x` } });
          await call(`op ${operationKey(op)} with the journey token as a client token`, op.method, url, { body, merchant: null, headers: { authorization: `Bearer ${world.journeyToken}` } });
        }
      }
    }
    for (const [n, nasty] of nasties.entries()) {
      for (const { op, url, body } of [plain[(2 * n) % plain.length]!, plain[(2 * n + 1) % plain.length]!]) {
        const r = nasty.make({ rng, op, url, body, authorization: merchant.authorization, otherAuthorization: t.merchant.authorization });
        let res: LightMyRequestResponse;
        try {
          res = await t.kassa.app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, payload: r.payload });
        } catch {
          continue; // not expressible on the wire
        }
        answers.push({ what: `nasty ${nasty.name} on ${operationKey(op)}`, res });
      }
    }
  });

  it('leaves no canary, password or token in the log', () => {
    const text = log.join('');
    expect(text.length).toBeGreaterThan(1000); // the logger really was capturing
    const found = [canaryPassword, canaryTokenSecret, ...world.secrets].filter((s) => text.includes(s));
    expect(found).toEqual([]);
    expect(text).not.toContain(Buffer.from(`canary_merchant:${canaryPassword}`).toString('base64'));
  });

  it('leaves no canary, password or token in the requests log (the newest entries of both merchants)', async () => {
    await t.kassa.deps.requestLog.flush();
    const entries = [
      ...(await t.kassa.deps.engine.store.listRequestLog(merchant.accountId, { limit: 10_000 })),
      ...(await t.kassa.deps.engine.store.listRequestLog(t.merchant.accountId, { limit: 10_000 })),
    ];
    expect(entries.length).toBeGreaterThan(100); // the log really was recording
    // The idempotency key is shown as the client sent it (its own label; docs/dashboard.md):
    // this walk sends secrets as keys on purpose, so keys are checked for the password only.
    const text = JSON.stringify(entries.map(({ idempotencyKey: _key, ...entry }) => entry));
    const found = [canaryPassword, canaryTokenSecret, ...world.secrets].filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
    expect(found).toEqual([]);
    expect(entries.some((e) => e.idempotencyKey === '[redacted]')).toBe(true); // the password sent as a key
    expect(JSON.stringify(entries)).not.toContain(canaryPassword);
  });

  it('leaves no canary, password or token in any error body or header', () => {
    const problems: string[] = [];
    for (const { what, res } of answers) {
      if (res.statusCode < 400) continue;
      const text = res.body + JSON.stringify(res.headers);
      for (const s of [canaryPassword, canaryTokenSecret, ...world.secrets]) {
        if (text.includes(s) || text.includes(encodeURIComponent(s))) problems.push(`${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
