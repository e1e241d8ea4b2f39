/**
 * The hostile-input fuzzer. Requests come from the route schemas that GET /openapi.json publishes
 * (valid values, then one spot broken: wrong type, out of range, missing/extra field, odd unicode,
 * __proto__, deep nesting…) and from the hand-written nasties (nasties.ts), against every
 * operation, on an in-process Kassa (app.inject, seeded ids, manual clock). For every answer:
 *
 * - no 5xx, and the process keeps running (no uncaught exception, /healthz still answers);
 * - a Klarna-Correlation-Id header;
 * - every rejection (4xx) in the right error shape — v1 body on v1 paths, v2 body on /v2 paths —
 *   with the correlation id of the header;
 * - a rejected request, or any GET, changed nothing: SQLite's total_changes() is the same before
 *   and after (every row written, updated or deleted counts), confirmed by a digest of every table
 *   (the requests log excepted: it records every request, rejected ones included);
 * - the status is one /openapi.json declares for the operation called.
 *
 * The store invariants (money on every order, nothing half-applied) are checked at the end. The
 * seed makes a run reproducible: the same seed sends the same requests in the same order.
 */
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { ManualClock, type Random } from '../../../src/app/ports.js';
import { loadConfig } from '../../../src/config/config.js';
import { createKassa, type Kassa } from '../../../src/kassa.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { germanOrderWithDiscount, swedishOrder, usOrder } from '../../fixtures/orders.js';
import { RecordingTransport, startTime } from '../../support/harness.js';
import { routeTable } from '../../../src/http/app.js';
import { journeySubjects } from '../../../src/web/journey/journey-subjects.js';
import { demoShopCredentials } from '../../../src/web/demo/demo-merchant.js';
import { fillPath, hiddenOperations, operationKey, operationsOf, type Operation } from '../support/openapi.js';
import { Prng } from '../support/prng.js';
import { mutate, toJson, validValue } from '../support/schema-values.js';
import type { Store } from '../../../src/store/port.js';
import { openTestPostgres, testDatabaseUrl } from '../../support/postgres.js';
import { digest, postgresProbe, sqliteProbe, type StoreProbe } from '../support/store-probe.js';
import { storeViolations } from '../support/invariants.js';
import { nasties, type NastyContext, type RawRequest } from './nasties.js';
import { inProcessHttp } from '../support/in-process-http.js';
import { merchantRuntimeFor } from '../../../src/app/merchant/merchant-runtime.js';
import { merchantOrderType, type MerchantOrder } from '../../../src/domain/merchant-order/merchant-order-state.js';

export interface FuzzOptions {
  requests: number;
  seed: number;
  /** sqlite (default, in memory) or postgres (a schema of its own on the test server). */
  store?: 'sqlite' | 'postgres';
  /** Only the hand-written nasties (e.g. a short PostgreSQL pass). */
  nastiesOnly?: boolean;
  /** Stop after this many failures (they are usually the same defect many times). */
  maxFailures?: number;
  /** Progress lines (long runs). */
  log?: (line: string) => void;
}

export interface FuzzFailure {
  index: number;
  origin: string;
  method: string;
  url: string;
  status: number;
  problem: string;
  response: string;
  payload: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  operations: number;
  byStatus: Record<string, number>;
  byOrigin: Record<string, number>;
  /** Per operation: requests sent and how many were accepted (2xx/3xx), to see what the run reached. */
  byOperation: Record<string, { sent: number; accepted: number }>;
  rejected: number;
  accepted: number;
  unsendable: number;
  failures: FuzzFailure[];
  durationMs: number;
}

/** Bodies known to pass the cross-field rules, per operation, so mutations reach business logic. */
export function seedBodies(): Record<string, unknown[]> {
  const orders = [swedishOrder(), swedishOrder(), germanOrderWithDiscount(), usOrder()];
  return {
    'POST /payments/v1/sessions': orders,
    'POST /payments/v1/sessions/{session_id}': orders,
    'POST /payments/v1/authorizations/{authorizationToken}/order': [swedishOrder(), { ...swedishOrder(), auto_capture: true }],
    'POST /payments/v1/authorizations/{authorizationToken}/customer-token': [
      { description: 'Subscription', intended_use: 'SUBSCRIPTION', locale: 'sv-SE', purchase_country: 'SE', purchase_currency: 'SEK' },
    ],
    'POST /sandbox/v1/clock/advance': [{ seconds: 60 }, { seconds: 3600 }],
    'POST /sandbox/v1/sessions/{session_id}/authorize': [{}, { billing_address: { email: 'customer@email.se' } }],
    'POST /ordermanagement/v1/orders/{order_id}/captures': [{ captured_amount: 1000 }, { captured_amount: 100, description: 'part' }],
    'POST /ordermanagement/v1/orders/{order_id}/refunds': [{ refunded_amount: 100 }],
    'PATCH /ordermanagement/v1/orders/{order_id}/authorization': [{ order_amount: 10000, order_lines: swedishOrder().order_lines }],
    'POST /kp/v1/journey/{kind}/identify': [{ email: 'customer@email.se' }],
    'POST /v2/accounts/{partner_account_id}/payment/authorize': [
      { currency: 'EUR', request_payment_transaction: { amount: 11800, payment_transaction_reference: 'fz' }, step_up_config: { payment_request_reference: 'fz', customer_interaction_config: { method: 'HANDOVER', return_url: 'https://partner.example/r' } } },
      { currency: 'EUR', request_payment_transaction: { amount: 11800, payment_transaction_reference: 'fz' } },
    ],
    'POST /v2/payment/requests': [{ currency: 'EUR', amount: 5000, payment_request_reference: 'fz', customer_interaction_config: { return_url: 'https://partner.example/r' } }],
    'PATCH /v2/payment/requests/{payment_request_id}': [{ amount: 6000 }, { payment_request_reference: 'fz-2' }],
    'PATCH /v2/accounts/{partner_account_id}/payment/requests/{payment_request_id}': [{ amount: 6000 }],
    'POST /sandbox/v2/payment/requests/{payment_request_id}/journey': [{ action: 'enter' }, { action: 'approve', customer: { email: 'customer@email.de' } }, { action: 'abort' }],
    'POST /v2/notification/webhooks': [{ url: 'https://partner.example/hooks', event_types: ['*'], event_version: 'v2', signing_key_id: 'x', status: 'ENABLED' }],
    'PATCH /v2/notification/webhooks/{webhook_id}': [{ status: 'DISABLED' }, { event_types: ['payment.request.*'] }],
    'POST /v2/notification/webhooks/{webhook_id}/simulate': [{ event_type: 'payment.request.state-change.completed' }],
    'POST /demo/api/quote': [{ cart: [{ sku: 'KO-MUG', quantity: 2 }] }],
    'POST /demo/api/sessions': [{ cart: [{ sku: 'KO-MUG', quantity: 1 }, { sku: 'KO-SOCK', quantity: 2 }] }],
    'POST /customer-token/v1/tokens/{customerToken}/order': [(({ purchase_country: _c, locale: _l, ...o }) => o)(swedishOrder(5000))],
    'PATCH /customer-token/v1/tokens/{customerToken}/status': [{ status: 'CANCELLED' }],
    'POST /sandbox/v1/customer-tokens/{customerToken}/status': [{ status: 'SUSPENDED' }, { status: 'ACTIVE' }],
    'POST /kp/v1/journey/{kind}/verify': [{ email: 'customer@email.se', one_time_code: '123456' }],
    'POST /kp/v1/journey/{kind}/approve': [{ email: 'customer@email.se', one_time_code: '123456' }, { phone: '+46701234567', one_time_code: '654321', payment_method_category: 'pay_later' }],
    'POST /merchant/v1/orders': [swedishOrder(), germanOrderWithDiscount()],
    'POST /merchant/v1/orders/{order_id}/ship': [{}, { shipping_info: [{ shipping_company: 'DHL', tracking_number: 'T1' }] }, { capture: false }],
    'POST /merchant/v1/orders/{order_id}/captures': [{ captured_amount: 1000 }],
    'POST /merchant/v1/orders/{order_id}/refunds': [{ refunded_amount: 100 }],
    'PUT /merchant/v1/orders/{order_id}/cart': [(({ order_amount, order_tax_amount, order_lines }) => ({ order_amount, order_tax_amount, order_lines }))(swedishOrder())],
    'PUT /merchant/v1/settings': [{ settlement_poll_interval_seconds: 3600 }, { capture_on_shipment: false }, { capture_on_shipment: true }],
    'POST /merchant/v1/notifications/{token}': [{ event_type: 'FRAUD_RISK_ACCEPTED' }, { event_type: 'CAPTURE_SETTLED' }],
  };
}

/**
 * Silent, unless FUZZ_LOG names a file: then Kassa's warnings and errors (with stacks) go there,
 * which is what a replayed 5xx needs.
 */
function fuzzLogger() {
  const file = process.env.FUZZ_LOG;
  return file ? pino({ level: 'warn' }, pino.destination({ dest: file, sync: true })) : pino({ level: 'silent' });
}

/** Seeded ids so that a seed reproduces a run exactly. */
function seededRandom(rng: Prng): Random {
  return {
    uuid: () => rng.uuid(),
    token: (bytes) => Buffer.from(Array.from({ length: bytes }, () => rng.int(0, 255))).toString('base64url'),
    fraction: () => rng.float(),
  };
}

const idKeys = /(^|_)(id|token|token_id|session_id|order_id|capture_id|refund_id|authorization_token|account_id)$|Id$/i;

/** Path parameters whose objects come back under another name. */
const aliases: Record<string, string> = { customertoken: 'tokenid' };

/** Names a path parameter and a response field both answer to: authorizationToken ~ authorization_token. */
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

class IdPool {
  private readonly byName = new Map<string, string[]>();
  add(name: string, value: unknown): void {
    if (typeof value !== 'string' || value.length === 0 || value.length > 4096) return;
    const k = norm(name);
    const list = this.byName.get(k) ?? [];
    if (!list.includes(value)) list.push(value);
    if (list.length > 50) list.shift();
    this.byName.set(k, list);
  }
  harvest(value: unknown, depth = 0): void {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && idKeys.test(k)) this.add(k, v);
      else this.harvest(v, depth + 1);
    }
  }
  /** A value harvested under exactly this name. */
  exact(rng: Prng, name: string): string | undefined {
    const list = this.byName.get(norm(name));
    return list?.length ? rng.pick(list) : undefined;
  }
  pick(rng: Prng, param: string): string | undefined {
    const want = aliases[norm(param)] ?? norm(param);
    const candidates = [...this.byName.entries()].filter(([k]) => k === want || k.includes(want) || want.includes(k) || (want.endsWith('token') && k.endsWith('token')));
    const values = candidates.flatMap(([, v]) => v);
    if (values.length === 0) {
      const all = [...this.byName.values()].flat();
      return all.length ? rng.pick(all) : undefined;
    }
    return rng.pick(values);
  }
}

export interface FuzzTarget {
  kassa: Kassa;
  probe: StoreProbe;
  /** Changes whenever anything is written: SQLite's total_changes(), or a digest of every table. */
  changeToken(): Promise<string>;
  authorization: string;
  otherAuthorization: string;
  accountId: string;
  inject(r: RawRequest): Promise<LightMyRequestResponse>;
  /** Waits until background work started by the last request (outbox kicks) is done. */
  quiesce(): Promise<void>;
  close(): Promise<void>;
}

export async function startFuzzTarget(seed: number, kind: 'sqlite' | 'postgres' = 'sqlite'): Promise<FuzzTarget> {
  const config = loadConfig({ KASSA_LOG_LEVEL: 'silent', DATABASE_URL: 'sqlite::memory:' }, process.cwd());
  let store: Store;
  let probe: StoreProbe;
  let changeToken: () => Promise<string>;
  let drop = async () => {};
  if (kind === 'postgres') {
    const pg = await openTestPostgres();
    store = pg.store;
    probe = postgresProbe(testDatabaseUrl, pg.schema);
    changeToken = () => digest(probe, ['request_log']);
    drop = async () => {
      await probe.close();
      await pg.drop();
    };
  } else {
    const sqlite = new SqliteStore({ path: ':memory:' });
    store = sqlite;
    probe = sqliteProbe(sqlite.db);
    const totalChanges = sqlite.db.prepare('SELECT total_changes() AS n').pluck();
    // The requests log records every request, rejected ones included (that is what it is for): its
    // writes are not a request's effects. They run synchronously inside the call, so they are
    // counted exactly and taken out of the token.
    let requestLogChanges = 0;
    const append = sqlite.appendRequestLog.bind(sqlite);
    sqlite.appendRequestLog = (entries) => {
      const before = Number(totalChanges.get());
      const done = append(entries);
      requestLogChanges += Number(totalChanges.get()) - before;
      return done;
    };
    changeToken = async () => String(Number(totalChanges.get()) - requestLogChanges);
  }
  const kassa = await createKassa(config, { clock: new ManualClock(startTime), store, transport: new RecordingTransport(), random: seededRandom(new Prng(seed ^ 0x5eed)), logger: fuzzLogger() });
  await kassa.app.ready();
  // The merchant role's default connection is this Kassa: its calls go into the app, never out.
  const merchantRole = merchantRuntimeFor(kassa.deps);
  merchantRole.http = inProcessHttp(kassa);
  // Outbox passes a clock advance kicks off run in the background (and merchant drives after a
  // notification); chain them so the harness can wait for them and attribute every write to the
  // request that caused it.
  let background: Promise<void> = Promise.resolve();
  kassa.deps.outbox.kick = () => {
    background = background.then(() => kassa.deps.outbox.pollAll()).catch(() => undefined);
  };
  const make = async (username: string) => {
    const password = `${username}-fuzz-password`;
    const account = await kassa.deps.accounts.create(username, password);
    return { account, authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  };
  // The demo shop creates its merchant account on first use; do that now, so that the first demo
  // request the fuzzer sends is not blamed for it.
  await demoShopCredentials(kassa.deps);
  const main = await make('fuzz_main');
  const other = await make('fuzz_other');
  return {
    kassa,
    probe,
    changeToken,
    authorization: main.authorization,
    otherAuthorization: other.authorization,
    accountId: main.account.id,
    inject: (r) => kassa.app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, payload: r.payload, ...(r.remoteAddress ? { remoteAddress: r.remoteAddress } : {}) }),
    quiesce: async () => {
      await background;
      await merchantRole.idle();
    },
    close: async () => {
      await kassa.close();
      await drop();
    },
  };
}

/** The error shape a path must get: v2 on /v2 paths. The path as the server sees it (inject resolves `..`). */
function expectedShape(url: string): 'v1' | 'v2' {
  let path = url;
  try {
    path = new URL(url, 'http://kassa.invalid').pathname;
  } catch {
    // keep it as sent
  }
  return path.startsWith('/v2/') || path.startsWith('/sandbox/v2/') ? 'v2' : 'v1';
}

const demoRelay = (url: string) => url.startsWith('/demo/api/');
const hostileQueryValues = ['-1', '0', '101', '1e9', '9007199254740993', '1.5', 'abc', '', '\u0000', 'x'.repeat(5000), '[]', '{"a":1}', 'PENDING,FAILED', 'pending'];

/**
 * GETs that write by design, each with its reason. Everything else read-only must change nothing.
 * None today: the customer opening a payment request's journey (which puts it IN_PROGRESS) is the
 * page's POST /kp/v1/journey/payment-request/enter, not a GET (docs/journey.md).
 */
const readsThatWrite: RegExp[] = [];
const htmlPage = (url: string) => url.startsWith('/demo/') || url.startsWith('/kp/v1/') || url === '/dashboard' || url.startsWith('/dashboard/') || url.startsWith('/dashboard?');

/** What is wrong with an error response, if anything. */
export function errorShapeProblem(url: string, method: string, res: { statusCode: number; headers: Record<string, unknown>; body: string }): string | undefined {
  const correlation = res.headers['klarna-correlation-id'];
  if (typeof correlation !== 'string' || !correlation) return 'no Klarna-Correlation-Id header';
  if (method === 'HEAD') return undefined;
  // Pages a browser opens (the journey, the demo shop, the dashboard) answer an HTML error page.
  if (String(res.headers['content-type'] ?? '').startsWith('text/html')) return htmlPage(url) ? undefined : `HTML error body on ${url}`;
  let body: any;
  try {
    body = JSON.parse(res.body);
  } catch {
    return `error body is not JSON: ${res.body.slice(0, 80)}`;
  }
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) return `error content-type ${res.headers['content-type']}`;
  if (expectedShape(url) === 'v2') {
    if (typeof body.error_id !== 'string' || typeof body.error_type !== 'string' || typeof body.error_code !== 'string' || typeof body.error_message !== 'string' || !Array.isArray(body.errors)) {
      return 'not the v2 error shape {error_id, error_type, error_code, error_message, errors[]}';
    }
    if (!['ACCESS_ERROR', 'INPUT_ERROR', 'RESOURCE_ERROR', 'TECHNICAL_ERROR'].includes(body.error_type)) return `v2 error_type ${body.error_type}`;
    if (body.error_id !== correlation) return 'v2 error_id differs from Klarna-Correlation-Id';
    if ('error_messages' in body) return 'v2 body carries the v1 error_messages';
    return undefined;
  }
  if (typeof body.error_code !== 'string' || !Array.isArray(body.error_messages) || body.error_messages.some((m: unknown) => typeof m !== 'string') || typeof body.correlation_id !== 'string') {
    return 'not the v1 error shape {error_code, error_messages[], correlation_id}';
  }
  if (body.error_messages.length === 0) return 'v1 error without messages';
  if (!/^[A-Z][A-Z_]*$/.test(body.error_code)) return `v1 error_code ${body.error_code}`;
  // The demo shop (/demo/api) is a merchant backend relaying Klarna's answers as they are: the body
  // carries the correlation id of its own call to the API (docs/js-sdk.md).
  if (body.correlation_id !== correlation && !demoRelay(url)) return 'v1 correlation_id differs from Klarna-Correlation-Id';
  if ('error_id' in body) return 'v1 body carries the v2 error_id';
  return undefined;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const rng = new Prng(options.seed);
  const target = await startFuzzTarget(options.seed, options.store);
  const probe = target.probe;
  const report: FuzzReport = { seed: options.seed, requests: 0, operations: 0, byStatus: {}, byOrigin: {}, byOperation: {}, rejected: 0, accepted: 0, unsendable: 0, failures: [], durationMs: 0 };
  const maxFailures = options.maxFailures ?? 20;

  const crashes: string[] = [];
  const onCrash = (e: unknown) => crashes.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  try {
    const doc = (await target.inject({ method: 'GET', url: '/openapi.json', headers: {} })).json();
    // Every route: the published ones and those hidden from /openapi.json (journey, pages, demo).
    const ops = [...operationsOf(doc), ...hiddenOperations(routeTable(target.kassa.app))];
    const browserFacing = (op: Operation) => op.tags.includes('hidden');
    report.operations = ops.length;
    const seeds = seedBodies();
    const corpus = new Map<string, unknown[]>(Object.entries(seeds).map(([k, v]) => [k, [...v]]));
    const pool = new IdPool();
    pool.add('account_id', target.accountId);
    pool.add('partner_account_id', target.accountId);
    for (const subject of journeySubjects) pool.add('kind', subject.kind);
    for (const file of ['widget.js', 'journey.js', 'kassa.css', 'checkout.html', 'nope.js']) pool.add('file', file);
    for (const category of ['pay_later', 'pay_now', 'pay_over_time']) pool.add('category', category);
    for (const variant of ['standard.svg', 'descriptive.svg']) pool.add('variant', variant);

    const call = async (r: RawRequest) => target.inject(r);
    /** Real objects to aim at: a few sessions, authorizations and orders, refreshed as they are used up. */
    let replenished = 0;
    let signingKeyId: string | undefined;
    const replenish = async () => {
      const auth = { authorization: target.authorization, 'content-type': 'application/json' };
      const has = (path: string) => ops.some((op) => op.path === path);
      if (has('/v2/notification/webhooks')) {
        // Signing keys and webhooks are capped per account (the fuzzer also deletes them): a new
        // webhook each time, a new key now and then; refusals at the cap are fine.
        if (replenished++ % 5 === 0 || !signingKeyId) {
          const key = await call({ method: 'POST', url: '/v2/notification/signing-keys', headers: { authorization: target.authorization } });
          pool.harvest(key.json());
          if (key.statusCode === 201) signingKeyId = key.json().signing_key_id;
        }
        const hook = await call({ method: 'POST', url: '/v2/notification/webhooks', headers: auth, payload: JSON.stringify({ url: 'https://partner.example/hooks', event_types: ['*'], event_version: 'v2', signing_key_id: signingKeyId, status: 'ENABLED' }) });
        pool.harvest(hook.json());
        const sim = await call({ method: 'POST', url: `/v2/notification/webhooks/${hook.json().webhook_id}/simulate`, headers: auth, payload: JSON.stringify({ event_type: 'payment.request.state-change.completed' }) });
        pool.harvest(sim.json());
      }
      if (has('/v2/accounts/{partner_account_id}/payment/authorize')) {
        const stepUp = seeds['POST /v2/accounts/{partner_account_id}/payment/authorize']![0];
        const pr = await call({ method: 'POST', url: `/v2/accounts/${target.accountId}/payment/authorize`, headers: auth, payload: JSON.stringify(stepUp) });
        pool.harvest(pr.json());
      }
      if (has('/merchant/v1/orders')) {
        // The merchant role: back to the default connection (this Kassa; the fuzzer may have
        // pointed it elsewhere), an order in checkout and one placed, and its notification token.
        await call({ method: 'DELETE', url: '/merchant/v1/connection', headers: { authorization: target.authorization } });
        for (const place of [false, true]) {
          const mo = await call({ method: 'POST', url: '/merchant/v1/orders', headers: auth, payload: JSON.stringify(swedishOrder()) });
          pool.harvest(mo.json());
          const sid = mo.json().checkout?.session_id;
          if (place && sid) {
            const a = await call({ method: 'POST', url: `/sandbox/v1/sessions/${sid}/authorize`, headers: auth, payload: '{}' });
            const placed = await call({ method: 'POST', url: `/merchant/v1/orders/${mo.json().order_id}/authorize`, headers: auth, payload: JSON.stringify({ authorization_token: a.json().authorization_token }) });
            pool.harvest(placed.json());
          }
          const record = mo.statusCode === 201 ? await target.kassa.deps.engine.store.getAggregate<MerchantOrder>(target.accountId, merchantOrderType, mo.json().order_id) : undefined;
          if (record) pool.add('token', record.state.notification_token);
        }
      }
      for (let i = 0; i < 3; i++) {
        const withUrls = { ...swedishOrder(), merchant_urls: { confirmation: 'https://shop.example/thanks/{order.id}' }, ...(i === 0 ? { intent: 'buy_and_tokenize' } : {}) };
        const s = await call({ method: 'POST', url: '/payments/v1/sessions', headers: auth, payload: JSON.stringify(withUrls) });
        pool.harvest(s.json());
        const sid = s.json().session_id;
        const a = await call({ method: 'POST', url: `/sandbox/v1/sessions/${sid}/authorize`, headers: auth, payload: '{}' });
        pool.harvest(a.json());
        if (i === 0) {
          // buy_and_tokenize: a customer token now; the authorization stays usable for an order.
          const ct = await call({ method: 'POST', url: `/payments/v1/authorizations/${a.json().authorization_token}/customer-token`, headers: auth, payload: JSON.stringify(seeds['POST /payments/v1/authorizations/{authorizationToken}/customer-token']![0]) });
          pool.harvest(ct.json());
          continue;
        }
        const o = await call({ method: 'POST', url: `/payments/v1/authorizations/${a.json().authorization_token}/order`, headers: auth, payload: JSON.stringify(swedishOrder()) });
        pool.harvest(o.json());
        const oid = o.json().order_id;
        if (ops.some((op) => op.path === '/ordermanagement/v1/orders/{order_id}/captures')) {
          const c = await call({ method: 'POST', url: `/ordermanagement/v1/orders/${oid}/captures`, headers: auth, payload: JSON.stringify({ captured_amount: 5000 }) });
          pool.add('capture_id', c.headers['capture-id']);
          const r = await call({ method: 'POST', url: `/ordermanagement/v1/orders/${oid}/refunds`, headers: auth, payload: JSON.stringify({ refunded_amount: 100 }) });
          pool.add('refund_id', r.headers['refund-id']);
        }
      }
      await target.quiesce();
    };
    await replenish();

    const plausible = (op: Operation): { url: string; body: unknown; key?: string } => {
      const values: Record<string, string> = {};
      for (const p of op.pathParams) values[p.name] = (rng.bool(0.85) && pool.pick(rng, p.name)) || String(validValue(p.schema, rng, p.name));
      let body: unknown;
      if (op.body) {
        const known = corpus.get(operationKey(op));
        body = known?.length && rng.bool(0.7) ? structuredClone(rng.pick(known)) : validValue(op.body, rng);
      }
      // Query parameters (e.g. ?limit= on a delivery log): sometimes, valid or hostile.
      const query = op.queryParams
        .filter(() => rng.bool(0.5))
        .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(rng.bool(0.35) ? rng.pick(hostileQueryValues) : validValue(p.schema, rng, p.name)))}`);
      return { url: fillPath(op.path, values) + (query.length ? `?${query.join('&')}` : ''), body, key: rng.bool(0.3) ? rng.uuid() : undefined };
    };

    for (let i = 0; i < options.requests && report.failures.length < maxFailures; i++) {
      if (i > 0 && i % 250 === 0) await replenish();
      if (options.log && i > 0 && i % 10_000 === 0) options.log(`  ${i} requests, ${report.failures.length} failures, statuses ${JSON.stringify(report.byStatus)}`);
      const op = rng.pick(ops);
      const base = plausible(op);
      const origin = options.nastiesOnly
        ? 'nasty'
        : rng.weighted([
            [3, 'valid'],
            [5, 'mutated'],
            [4, 'nasty'],
          ] as const);
      let request: RawRequest;
      let label: string = origin;
      // Browser-facing routes authenticate with a bearer client token; the API with Basic.
      const bearer = pool.exact(rng, 'client_token');
      const credential = rng.weighted([
        [browserFacing(op) ? 2 : 19, target.authorization],
        [browserFacing(op) ? 7 : 0.5, bearer ? `Bearer ${bearer}` : target.authorization],
        [1, ''],
      ] as const);
      const headers: Record<string, string> = credential ? { authorization: credential } : {};
      if (base.key) headers['klarna-idempotency-key'] = base.key;
      if (origin === 'nasty') {
        const nasty = rng.weighted(nasties.map((n) => [n.weight, n] as const));
        label = `nasty: ${nasty.name}`;
        const ctx: NastyContext = { rng, op, url: base.url, body: base.body, authorization: credential || target.authorization, otherAuthorization: target.otherAuthorization };
        request = nasty.make(ctx);
      } else {
        let body = base.body;
        if (origin === 'mutated' && op.body && body !== undefined) {
          const m = mutate(body as never, op.body, rng);
          body = m.value;
          label = `mutated: ${m.what}`;
        } else if (origin === 'mutated') {
          label = 'mutated: unexpected body';
          body = rng.pick([{}, { a: 1 }, [], 'x']);
        }
        request = { method: op.method, url: base.url, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' }, payload: body === undefined ? undefined : toJson(body) };
      }
      report.byOrigin[label.split(':')[0]!] = (report.byOrigin[label.split(':')[0]!] ?? 0) + 1;

      await target.quiesce();
      const before = await target.changeToken();
      let res: LightMyRequestResponse;
      // A request that never ends (a livelock) is not a failure the checks below can see: say
      // which one it is while it runs, so the seed and index replay it.
      const watchdog = setInterval(() => options.log?.(`  request #${i} still running: ${request.method} ${request.url.slice(0, 120)} [${label}]`), 30_000);
      try {
        res = await target.inject(request);
      } catch (error) {
        // The request cannot be expressed on the wire (e.g. a header with a character HTTP forbids).
        report.unsendable++;
        continue;
      } finally {
        clearInterval(watchdog);
      }
      await target.quiesce();
      const after = await target.changeToken();
      report.requests++;
      report.byStatus[res.statusCode] = (report.byStatus[res.statusCode] ?? 0) + 1;
      const perOp = (report.byOperation[operationKey(op)] ??= { sent: 0, accepted: 0 });
      perOp.sent++;
      if (res.statusCode < 400) perOp.accepted++;

      const fail = (problem: string) =>
        report.failures.push({
          index: i,
          origin: label,
          method: request.method,
          url: request.url.slice(0, 300),
          status: res.statusCode,
          problem,
          response: res.body.slice(0, 500),
          payload: (typeof request.payload === 'string' ? request.payload : (request.payload?.toString('utf8') ?? '')).slice(0, 300),
        });

      if (res.statusCode >= 500) fail(`server error ${res.statusCode}`);
      else if (!res.headers['klarna-correlation-id'] && res.statusCode < 400) fail('no Klarna-Correlation-Id header');
      if (crashes.length) fail(`uncaught: ${crashes.splice(0).join(' | ').slice(0, 500)}`);
      // The answer of the operation that was called must be one /openapi.json declares for it (a
      // request the nasty sent elsewhere, or with another method, is another route's business).
      if (!browserFacing(op) && request.method === op.method && request.url === base.url && !op.responses.includes(String(res.statusCode))) {
        fail(`status ${res.statusCode} is not declared for ${op.method} ${op.path} (declared: ${op.responses.join(', ')})`);
      }
      if (res.statusCode >= 400) {
        report.rejected++;
        const shape = errorShapeProblem(request.url, request.method, { statusCode: res.statusCode, headers: res.headers, body: res.body });
        if (shape) fail(shape);
      } else report.accepted++;
      const readThatWrites = readsThatWrite.some((re) => re.test(request.url));
      if ((res.statusCode >= 400 || ((request.method === 'GET' || request.method === 'HEAD') && !readThatWrites)) && after !== before) {
        fail(`${res.statusCode >= 400 ? 'rejected request' : 'read'} changed the store`);
      }
      if (res.statusCode < 300) {
        pool.harvest(safeJson(res.body));
        for (const h of ['capture-id', 'refund-id']) pool.add(h.replace('-', '_'), res.headers[h]);
        if (origin === 'valid' && request.payload && res.statusCode < 300) {
          const list = corpus.get(operationKey(op)) ?? [];
          if (list.length < 20) list.push(safeJson(String(request.payload)));
          corpus.set(operationKey(op), list);
        }
      }
    }

    // Still alive, and the store as a whole is consistent.
    const health = await target.inject({ method: 'GET', url: '/healthz', headers: {} });
    if (health.statusCode !== 200) report.failures.push({ index: -1, origin: 'end', method: 'GET', url: '/healthz', status: health.statusCode, problem: 'not healthy after the run', response: health.body, payload: '' });
    for (const v of await storeViolations(probe)) report.failures.push({ index: -1, origin: 'end', method: '', url: '', status: 0, problem: `store invariant: ${v}`, response: '', payload: '' });
  } finally {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    await target.close();
    report.durationMs = Date.now() - started;
  }
  return report;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
