/**
 * Isolation: every operation Kassa publishes in /openapi.json, called with another merchant's
 * credentials on this merchant's objects, answers 404 — never 403, never the object — and nothing
 * of this merchant (ids, tokens) appears in any answer to the other one. Operations without an
 * object in the path run too, and must not show this merchant's data. Afterwards this merchant's
 * rows are exactly as before. The operation list comes from /openapi.json, so a new route is in the
 * matrix the day it is added (and fails here, naming its parameter, until the world has an object
 * for it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startTestKassa, type Merchant, type TestKassa } from '../support/harness.js';
import { seedBodies } from './fuzz/run-fuzz.js';
import { fillPath, hiddenOperations, operationKey, operationsOf, type Operation } from './support/openapi.js';
import { routeTable } from '../../src/http/app.js';
import { Prng } from './support/prng.js';
import { validValue, toJson } from './support/schema-values.js';
import { sqliteProbe, type StoreProbe } from './support/store-probe.js';
import { buildWorld, idOf, normParam, type World } from './support/world.js';
import { merchantRuntimeFor } from '../../src/app/merchant/merchant-runtime.js';
import { createHash } from 'node:crypto';
import { signIn } from '../support/dashboard.js';

/**
 * Routes a customer's browser follows without credentials: they find the object across accounts
 * by design and answer only a redirect to the merchant's own confirmation URL.
 */
const publicRoutes = new Set(['GET /payments/v1/redirect/{order_id}', 'GET /payments/v1/redirect/token/{token_id}']);

/**
 * Routes whose path parameter is itself the credential (a capability URL): the provider posts an
 * order's notifications to the URL Kassa gave it, without Basic credentials. Whoever holds the
 * token reaches the order by design (and only gets a hint read back); the matrix aims these at a
 * token that does not exist, with the other merchant's credentials, and the token itself is one of
 * the secrets that must never show up in an answer.
 */
const capabilityRoutes = new Set(['POST /merchant/v1/notifications/{token}']);
const unknownCapability = 'kassa-world-no-such-token-0000000000000000';

let t: TestKassa;
let store: SqliteStore;
let probe: StoreProbe;
let world: World;
let intruder: Merchant;
let ops: Operation[];

/**
 * Lets the outbox deliver whatever is due (this merchant's own webhooks) and background merchant
 * drives finish, so only callers' effects remain.
 */
async function quiesce(): Promise<void> {
  await merchantRuntimeFor(t.kassa.deps).idle();
  await t.kassa.deps.outbox.stop();
  await t.kassa.deps.outbox.pollAll();
}

async function rowsOf(accountId: string): Promise<string> {
  const h = createHash('sha256');
  for (const table of ['aggregates', 'events', 'timers', 'outbox', 'idempotency', 'lookup_keys']) {
    const rows = await probe.query(`SELECT * FROM ${table} WHERE account_id = $1`, [accountId]);
    h.update(table).update(JSON.stringify(rows.map((r) => JSON.stringify(r)).sort()));
  }
  return h.digest('hex');
}

beforeAll(async () => {
  store = new SqliteStore({ path: ':memory:' });
  t = await startTestKassa({ store });
  probe = sqliteProbe(store.db);
  world = await buildWorld(t, t.merchant);
  intruder = await t.createMerchant();
  ops = operationsOf((await t.request('GET', '/openapi.json', { merchant: null })).json());
});
afterAll(async () => {
  await merchantRuntimeFor(t.kassa.deps).idle();
  await t.close();
});

function bodyFor(op: Operation, rng: Prng): string | undefined {
  if (!op.body) return undefined;
  const seeds = seedBodies()[operationKey(op)];
  return toJson(seeds?.length ? seeds[0] : validValue(op.body, rng));
}

/** A's ids or secrets found in a response that B did not send itself. */
function leaked(body: string, sentUrl: string): string[] {
  return world.all.filter((v) => body.includes(v) && !decodeURIComponent(sentUrl).includes(v));
}

describe('isolation matrix', () => {
  it('covers every published operation, and the only public ones are the known redirects and capability URLs', async () => {
    expect(ops.length).toBeGreaterThan(5);
    expect(ops.filter((op) => op.path.startsWith('/merchant/v1/')).length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const op of ops) {
      const capability = capabilityRoutes.has(operationKey(op));
      const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, capability ? unknownCapability : (idOf(world, op.path, p.name) ?? 'x')])));
      const res = await t.request(op.method, url, { merchant: null, body: op.body ? bodyFor(op, new Prng(1)) : undefined });
      if (res.statusCode !== 401) found.push(operationKey(op));
    }
    expect(found.sort()).toEqual([...publicRoutes, ...capabilityRoutes].sort());
  });

  it("another merchant gets 404 for every operation on this merchant's objects, and sees none of its data", async () => {
    await quiesce();
    const before = await rowsOf(world.merchant.accountId);
    const problems: string[] = [];
    const rng = new Prng(7);
    for (const op of ops) {
      if (publicRoutes.has(operationKey(op))) continue;
      const values: Record<string, string> = {};
      const capability = capabilityRoutes.has(operationKey(op));
      for (const p of op.pathParams) {
        const id = capability ? unknownCapability : idOf(world, op.path, p.name);
        if (!id) problems.push(`${operationKey(op)}: no object for path parameter ${p.name} in test/reliability/support/world.ts`);
        values[p.name] = id ?? 'missing';
      }
      const url = fillPath(op.path, values);
      const res = await t.request(op.method, url, { merchant: intruder, body: bodyFor(op, rng), headers: { 'klarna-idempotency-key': rng.uuid() } });
      const where = `${op.method} ${url} -> ${res.statusCode} ${res.body.slice(0, 200)}`;
      if (res.statusCode >= 500) problems.push(`server error: ${where}`);
      if (op.pathParams.length && res.statusCode !== 404) problems.push(`expected 404: ${where}`);
      const leaks = leaked(res.body + JSON.stringify(res.headers), url);
      if (leaks.length) problems.push(`leaked ${leaks.join(', ')}: ${where}`);
    }
    expect(problems).toEqual([]);
    await quiesce();
    expect(await rowsOf(world.merchant.accountId)).toBe(before);
  });

  it('the owner still reaches every object (the 404s above were about the caller, not the ids)', async () => {
    const reads = ops.filter((op) => op.method === 'GET' && op.pathParams.length && !publicRoutes.has(operationKey(op)));
    for (const op of reads) {
      const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, idOf(world, op.path, p.name)!])));
      const res = await t.request('GET', url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    }
  });

  it('routes hidden from /openapi.json (pages, journey, demo shop) never show this merchant to anyone else', async () => {
    const hidden = hiddenOperations(routeTable(t.kassa.app));
    expect(hidden.length).toBeGreaterThan(0);
    // The intruder's own session: its client token is the journey's credential.
    const theirs = (await t.request('POST', '/payments/v1/sessions', { merchant: intruder, body: seedBodies()['POST /payments/v1/sessions']![0] })).json();
    const problems: string[] = [];
    for (const op of hidden) {
      const kind = classify(op.path);
      if (!kind) {
        problems.push(`${operationKey(op)}: unclassified hidden route — add it to classify() in this test`);
        continue;
      }
      // A capability URL (the customer's page of a payment request) reaches its object by design:
      // aim it at an id that does not exist instead.
      const values = Object.fromEntries(
        op.pathParams.map((p) => [p.name, p.name === 'kind' ? 'session' : kind === 'capability' ? 'krn:payment:eu1:request:00000000-0000-4000-8000-000000000000' : (world.ids.get(normParam(p.name)) ?? 'x')]),
      );
      const url = fillPath(op.path, values);
      const body = op.body ? toJson(seedBodies()[operationKey(op)]?.[0] ?? validValue(op.body, new Prng(3))) : undefined;
      const attempts: [string, Record<string, string>][] =
        kind === 'dashboard'
          ? [
              ['no credentials', {}],
              ['Basic credentials of the owner', { authorization: world.merchant.authorization }],
            ]
          : kind === 'journey'
          ? [
              ['Basic credentials of the intruder', { authorization: intruder.authorization }],
              ['Basic credentials of the owner', { authorization: world.merchant.authorization }],
              ["the intruder's client token", { authorization: `Bearer ${theirs.client_token}` }],
            ]
          : [['no credentials', {}]];
      for (const [who, headers] of attempts) {
        const res = await t.request(op.method, url, { merchant: null, headers, body });
        const where = `${op.method} ${url} with ${who} -> ${res.statusCode} ${res.body.slice(0, 160)}`;
        if (res.statusCode >= 500) problems.push(`server error: ${where}`);
        if (kind === 'journey' && who.startsWith('Basic') && res.statusCode !== 401) problems.push(`expected 401: ${where}`);
        if (kind === 'demo' && op.pathParams.some((p) => p.name.endsWith('_id')) && res.statusCode !== 404) problems.push(`expected 404: ${where}`);
        // The dashboard takes its session cookie only: without one a page sends the browser to sign
        // in (303) and an action or live stream is refused; only the sign-in page and the static
        // files answer.
        if (kind === 'dashboard' && !dashboardPublic.has(op.path) && ![303, 401, 403].includes(res.statusCode)) problems.push(`expected 303/401/403: ${where}`);
        if (kind === 'capability' && res.statusCode !== 404 && res.statusCode !== 400) problems.push(`expected 404 (or 400 for an empty form): ${where}`);
        const leaks = leaked(res.body + JSON.stringify(res.headers), url);
        if (leaks.length) problems.push(`leaked ${leaks.join(', ')}: ${where}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("a signed-in dashboard user of another account gets 404 for every dashboard page and action on this merchant's objects, and sees none of its data", async () => {
    await quiesce();
    const before = await rowsOf(world.merchant.accountId);
    // A merchant of its own: the API intruder's requests log holds the paths it probed, which name this
    // merchant's ids by design (its own requests), so its requests page would list them.
    const them = await signIn(t, await t.createMerchant('dashboard-intruder'));
    // One of this merchant's own API requests, for the requests log's detail page.
    ownerCorrelationId = (await t.kassa.deps.requestLog.list(world.merchant.accountId, { limit: 1 }))[0]?.correlationId;
    const routes = hiddenOperations(routeTable(t.kassa.app)).filter((op) => op.path.startsWith('/dashboard'));
    expect(routes.length).toBeGreaterThan(15);
    const problems: string[] = [];
    const check = (where: string, res: { statusCode: number; body: string; headers: object }, url: string, expected?: number) => {
      if (res.statusCode >= 500) problems.push(`server error: ${where}`);
      if (expected !== undefined && res.statusCode !== expected) problems.push(`expected ${expected}: ${where} -> ${res.statusCode} ${res.body.slice(0, 160)}`);
      const leaks = leaked(res.body + JSON.stringify(res.headers), url);
      if (leaks.length) problems.push(`leaked ${leaks.join(', ')}: ${where}`);
    };
    for (const op of routes) {
      if (dashboardPublic.has(op.path) || op.path === '/dashboard/sign-in') continue;
      const urls = dashboardUrls(op.path);
      if (!urls.length) problems.push(`${operationKey(op)}: no object for it — add it to dashboardUrls() in this test`);
      for (const url of urls) {
        const res = op.method === 'GET' ? await them.get(url) : await them.post(url, { amount: '100', unit: 'days' });
        // Pages without an object (lists, home, webhooks, clock, sign-out, clock advance) answer the
        // intruder's own view (or a redirect); they must simply show nothing of this merchant.
        const hasObject = op.pathParams.some((p) => p.name === 'id' || p.name === 'correlationId');
        check(`${op.method} ${url}`, res, url, hasObject ? 404 : undefined);
      }
    }
    // Searching for this merchant's ids finds nothing either.
    for (const [slug, param] of dashboardKinds) {
      const id = param === 'merchant' ? world.merchantIds.get('orderid')! : world.ids.get(normParam(param))!;
      const url = `/dashboard/${slug}?q=${encodeURIComponent(id)}`;
      const res = await them.get(url);
      check(`GET ${url}`, res, url, 200);
    }
    expect(problems).toEqual([]);
    await quiesce();
    expect(await rowsOf(world.merchant.accountId)).toBe(before);
  });

  it('the owner, signed in, reaches every dashboard page of its objects', async () => {
    const me = await signIn(t, world.merchant);
    for (const [slug, param] of dashboardKinds) {
      const id = param === 'merchant' ? world.merchantIds.get('orderid')! : world.ids.get(normParam(param))!;
      const res = await me.get(`/dashboard/${slug}/${encodeURIComponent(id)}`);
      expect(res.statusCode, `${slug}: ${res.body.slice(0, 300)}`).toBe(200);
      expect(res.body).toContain(id);
    }
    const delivery = await me.get(`/dashboard/deliveries/${world.ids.get('deliveryid')}`);
    expect(delivery.statusCode).toBe(200);
  });
});

let ownerCorrelationId: string | undefined;

/** Each dashboard object kind and the world's id for it. */
const dashboardKinds: [string, string][] = [
  ['orders', 'order_id'],
  ['sessions', 'session_id'],
  ['customer-tokens', 'token_id'],
  ['payment-requests', 'payment_request_id'],
  ['merchant-orders', 'merchant'],
];

/** The URLs a dashboard route is tried at: one per object it can name. */
function dashboardUrls(path: string): string[] {
  const order = world.ids.get('orderid')!;
  const fill = (p: string, values: Record<string, string>) => fillPath(p, values);
  if (path.startsWith('/dashboard/{kind}/{id}')) {
    return dashboardKinds.map(([slug, param]) => fill(path, { kind: slug, id: param === 'merchant' ? world.merchantIds.get('orderid')! : world.ids.get(normParam(param))! }));
  }
  if (path.startsWith('/dashboard/merchant-orders/{id}')) return [fill(path, { id: world.merchantIds.get('orderid')! })];
  if (path.startsWith('/dashboard/orders/{id}')) return [fill(path, { id: order, capture_id: world.ids.get('captureid')! })];
  if (path.startsWith('/dashboard/deliveries/{id}')) return [fill(path, { id: world.ids.get('deliveryid')! })];
  if (path === '/dashboard/requests/{correlationId}') return ownerCorrelationId ? [fill(path, { correlationId: ownerCorrelationId })] : [];
  if (path === '/dashboard/{kind}') return dashboardKinds.map(([slug]) => fill(path, { kind: slug }));
  if (!path.includes('{')) return [path];
  return [];
}

/** Dashboard routes that need no session. */
const dashboardPublic = new Set(['/dashboard/sign-in', '/dashboard/static/{file}']);

/** What a hidden route is, for the isolation rules above. */
function classify(path: string): 'page' | 'journey' | 'demo' | 'capability' | 'dashboard' | undefined {
  if (path === '/dashboard' || path.startsWith('/dashboard/')) return 'dashboard';
  if (path.startsWith('/journey/payment-requests/')) return 'capability';
  if (/^\/kp\/v1\/journey\/\{kind\}\/[a-z]+$/.test(path)) return 'journey';
  if (path.startsWith('/demo')) return 'demo';
  if (['/kp/lib/v1/api.js', '/kp/v1/widget', '/kp/v1/journey/{kind}', '/kp/v1/static/{file}', '/assets/{category}/{variant}', '/healthz', '/openapi.json'].includes(path)) return 'page';
  // Operators' metrics: no merchant credential opens them, and they hold route patterns and counts, never ids.
  if (path === '/metrics') return 'page';
  return undefined;
}
