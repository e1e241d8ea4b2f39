/**
 * The crash harness: runs the workload (workload.ts) against a Kassa process started as users
 * start it (`node --import tsx src/main.ts`), kills it with SIGKILL at random moments, restarts it
 * on the same data, and after every restart proves that nothing was lost:
 *
 * 1. offline, before the restart (the database as the kill left it): every acknowledged operation
 *    is present with its exact amounts; anything beyond that is explained by a request in doubt;
 *    the store invariants hold (money on every order, nothing half-applied, every deadline timed);
 * 2. after the restart: every timer that was due fires, exactly once (one set of events stamped
 *    with its due time); every outbox row committed before the kill reaches the receiver with the
 *    same body and event id; every request in doubt, retried with its Klarna-Idempotency-Key,
 *    ends with exactly one effect; the API shows what the model expects; the account clock moved by
 *    exactly the acknowledged advances.
 *
 * With `nodes` above 1 (PostgreSQL only) it runs that many Kassa processes on the one database,
 * each on its own port, and spreads the load over them (round robin, nothing sticky). Each cycle
 * SIGKILLs one random node (now and then two at once) while the others keep serving; on top of
 * the checks above: the survivors fire every timer that is due and deliver every pending outbox row
 * without waiting for the dead node — a row it had leased within its lease — and a request in
 * doubt is retried on whichever node the round robin gives (usually another one).
 *
 * Used by `npm run test:crash` (scripts/crash.ts; long runs) and test/reliability/crash.test.ts (CI).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { operationKey, operationsOf } from '../support/openapi.js';
import { Prng } from '../support/prng.js';
import { accountOffsets, aggregates, events, openSqliteFile, outbox, postgresSnapshotProbe, timers, type StoreProbe, type TimerRow } from '../support/store-probe.js';
import { storeViolations } from '../support/invariants.js';
import { freePort } from '../../support/process.js';
import { customerTokenType } from '../../../src/domain/customer-token/customer-token-state.js';
import { paymentRequestType } from '../../../src/domain/payment-request/payment-request-state.js';
import { Client, InDoubt } from './client.js';
import { Receiver } from './receiver.js';
import { advanceBy, featuresOf, Model, runClient, settle, Stop, type Features, type Op, type WorkloadContext } from './workload.js';

export interface CrashOptions {
  kills: number;
  seed: number;
  /** Kassa listens here, the webhook receiver on `receiverPort`; absent or 0: a free port each. */
  port?: number;
  receiverPort?: number;
  store: 'sqlite' | 'postgres';
  /** Kassa processes on the one database (default 1; above 1 needs store=postgres). */
  nodes?: number;
  /** With three nodes or more: share of kills that take down two nodes at once (default 0.2). */
  doubleKillRate?: number;
  /** PostgreSQL server for store=postgres (a fresh database is created and dropped). */
  postgresUrl?: string;
  clients: number;
  /** Load between a restart and the next kill, ms (uniform). */
  minRunMs: number;
  maxRunMs: number;
  /** Share of restarts that are killed again while booting. */
  bootKillRate: number;
  log: (line: string) => void;
  keepDir?: boolean;
}

export interface CrashReport {
  seed: number;
  kills: number;
  bootKills: number;
  nodes: number;
  /** Kills that took down two nodes at once. */
  doubleKills: number;
  /**
   * Outbox rows that were under a lease at a kill and reached the receiver only once that lease had
   * run out: a dead node's claims, taken over by another node within the lease (plus grace).
   */
  expiredLeasesTakenOver: number;
  store: string;
  features: Features;
  operations: number;
  inDoubtResolved: number;
  timersDueWhileDown: number;
  outboxRowsCarriedOver: number;
  deliveries: number;
  /** Time spent waiting for the process to boot, under load, and checking, ms. */
  bootMs: number;
  loadMs: number;
  checkMs: number;
  counts: Record<string, number>;
  refusals: Record<string, string>;
  durationMs: number;
  failures: string[];
  dir: string;
}

const username = 'crash';
const password = 'crash-harness-secret-1';
const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

class KassaChild {
  child?: ChildProcess;
  starts = 0;
  constructor(
    private readonly env: Record<string, string>,
    private readonly port: number,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  spawn(): ChildProcess {
    this.starts++;
    appendFileSync(this.logFile, `\n===== start ${this.starts} at ${new Date().toISOString()} =====\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(this.port), KASSA_POLL_INTERVAL_MS: '50', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => appendFileSync(this.logFile, d));
    child.stderr!.on('data', (d) => appendFileSync(this.logFile, d));
    this.child = child;
    return child;
  }

  async waitReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const child = this.child!;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`kassa exited while starting (${child.exitCode ?? child.signalCode}); see ${this.logFile}`);
      try {
        const r = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(25);
    }
    throw new Error(`kassa did not start within ${timeoutMs} ms; see ${this.logFile}`);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = once(child, 'exit');
    child.kill(signal);
    const [code] = await exited;
    return code as number | null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * With several nodes: how long after a kill (or after the end of a lease that was live at the
 * kill) the survivors may take to deliver a pending outbox row. Generous for a loaded 2-core
 * machine; the point is that it does not wait for the dead node to come back.
 */
const takeoverGraceMs = 15_000;

export async function runCrash(options: CrashOptions): Promise<CrashReport> {
  const started = Date.now();
  const rng = new Prng(options.seed);
  const dir = mkdtempSync(join(tmpdir(), `kassa-crash-${options.seed}-`));
  const nodeCount = options.nodes ?? 1;
  if (nodeCount > 1 && options.store !== 'postgres') throw new Error('several nodes need store=postgres (SQLite is one machine\'s file)');
  const log = options.log;
  log(`crash harness: seed ${options.seed}, ${options.kills} kills, store ${options.store}, data and logs in ${dir}${nodeCount > 1 ? `, ${nodeCount} nodes` : ''}`);

  let databaseUrl: string;
  let openProbe: () => StoreProbe;
  let dropDatabase = async () => {};
  if (options.store === 'postgres') {
    const server = options.postgresUrl ?? 'postgres://postgres@127.0.0.1:5432/test';
    const name = `kassa_crash_${options.seed}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(server);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    // One snapshot per probe: with several nodes the database keeps changing while it is checked.
    openProbe = () => postgresSnapshotProbe(databaseUrl);
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const file = join(dir, 'kassa.db');
    databaseUrl = `sqlite:${file}`;
    openProbe = () => openSqliteFile(file);
  }

  const receiver = new Receiver(options.receiverPort ?? 0);
  await receiver.start();
  // Every restart listens on the same port (clients keep their URL): chosen once, free now.
  const nodes: KassaChild[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const port = options.port ? options.port + (i === 0 ? 0 : i + 1) : await freePort();
    const logFile = join(dir, nodeCount > 1 ? `kassa-${i + 1}.log` : 'kassa.log');
    nodes.push(new KassaChild({ DATABASE_URL: databaseUrl, KASSA_SANDBOX_MERCHANT: `${username}:${password}`, KASSA_LOG_LEVEL: 'warn' }, port, logFile));
  }
  const kassa = nodes[0]!;
  const client = new Client(nodes.map((n) => n.url), authorization);
  const model = new Model();
  const report: CrashReport = {
    seed: options.seed,
    kills: 0,
    bootKills: 0,
    nodes: nodeCount,
    doubleKills: 0,
    expiredLeasesTakenOver: 0,
    store: options.store,
    features: { orderManagement: false, customerTokens: false, paymentRequests: false },
    operations: 0,
    inDoubtResolved: 0,
    timersDueWhileDown: 0,
    outboxRowsCarriedOver: 0,
    deliveries: 0,
    bootMs: 0,
    loadMs: 0,
    checkMs: 0,
    counts: model.counts,
    refusals: model.refusals,
    durationMs: 0,
    failures: model.failures,
    dir,
  };
  /** Outbox rows committed before a kill that must reach the receiver: body -> deadline. */
  const deliveryObligations = new Map<string, { eventId: string; deadline: number; cycle: number; leaseUntil?: number }>();

  const withProbe = async <T>(f: (p: StoreProbe) => Promise<T>): Promise<T> => {
    const probe = openProbe();
    try {
      return await f(probe);
    } finally {
      await probe.close();
    }
  };

  try {
    // All at once, as an orchestrator starts them: migrations and the sandbox merchant must cope.
    for (const n of nodes) n.spawn();
    await Promise.all(nodes.map((n) => n.waitReady()));
    const doc = (await (await fetch(`${kassa.url}/openapi.json`)).json()) as any;
    const features = featuresOf(new Set(operationsOf(doc).map(operationKey)));
    report.features = features;
    const account = await client.call('GET', '/sandbox/v1/account');
    if (account.status !== 200) throw new Error(`cannot call the sandbox merchant: ${account.status} ${account.text}`);
    const accountId: string = account.json.account_id;
    log(`features: ${JSON.stringify(features)}; account ${accountId}`);
    const ctx: WorkloadContext = { client, model, features, receiverUrl: receiver.url, accountId };
    if (features.paymentRequests) {
      // Every v2 event goes to the local receiver, signed; the outbox checks then cover webhooks.
      const key = await client.call('POST', '/v2/notification/signing-keys');
      const hook = await client.call('POST', '/v2/notification/webhooks', {
        body: { url: `${receiver.url}/webhooks`, event_types: ['*'], event_version: 'v2', signing_key_id: key.json?.signing_key_id, status: 'ENABLED' },
      });
      if (key.status !== 201 || hook.status !== 201) throw new Error(`cannot subscribe the receiver: ${key.status} ${hook.status} ${hook.text}`);
    }

    for (let k = 1; k <= options.kills && model.failures.length === 0; k++) {
      model.cycle = k;
      // Load, then SIGKILL at a random moment.
      let stop = false;
      const clients = Array.from({ length: options.clients }, () => runClient(ctx, rng.fork(), () => stop));
      const runMs = rng.int(options.minRunMs, options.maxRunMs);
      await sleep(runMs);
      report.loadMs += runMs;
      // Half the time, move the clock so that the next deadline falls due in the next seconds of
      // real time — most likely while the process is down.
      if (rng.bool(0.5)) await armNextTimer(ctx, rng, withProbe, accountId).catch((e) => (e instanceof Stop ? undefined : Promise.reject(e)));
      await sleep(rng.int(0, 300));
      // One node (the only one, or a random one), now and then two at once.
      const victims = [rng.int(0, nodeCount - 1)];
      if (nodeCount >= 3 && rng.bool(options.doubleKillRate ?? 0.2)) victims.push((victims[0]! + rng.int(1, nodeCount - 1)) % nodeCount);
      const killAt = Date.now();
      await Promise.all(victims.map((v) => nodes[v]!.kill('SIGKILL')));
      stop = true;
      await Promise.all(clients);
      client.reset();
      report.kills++;
      if (victims.length > 1) report.doubleKills++;
      const inDoubt = model.inDoubt();

      // 1. Offline: the database exactly as the kill left it.
      const checkStart = Date.now();
      const atKill = await withProbe(async (probe) => {
        model.failures.push(...(await storeViolations(probe)).map((v) => `[cycle ${k}, after kill] ${v}`));
        await checkModelAgainstStore(probe, model, accountId, inDoubt, `cycle ${k}, after kill`);
        return { timers: await timers(probe), offsets: await accountOffsets(probe), outbox: await outbox(probe) };
      });
      for (const row of atKill.outbox) {
        if (row.status === 'failed') model.fail(`outbox row ${row.id} failed although the receiver always answers 200`);
        if (row.status === 'delivered' && !receiver.bodies().has(row.body)) model.fail(`outbox row ${row.id} is marked delivered but never reached the receiver`);
        if (row.status === 'pending' && !deliveryObligations.has(row.body)) {
          // One node: delivered after the restart. Several: the survivors deliver it, a row under a
          // lease (perhaps the dead node's) once that lease has run out.
          const leaseUntil = row.leaseUntil > killAt ? row.leaseUntil : undefined;
          const deadline = nodeCount > 1 ? Math.max(killAt, row.leaseUntil) + takeoverGraceMs : Number.POSITIVE_INFINITY;
          deliveryObligations.set(row.body, { eventId: row.eventId, deadline, cycle: k, leaseUntil });
          report.outboxRowsCarriedOver++;
        }
      }
      report.checkMs += Date.now() - checkStart;
      if (model.failures.length) break;

      if (nodeCount > 1) {
        // The survivors, not the restart, fire what is due by now: a dead node holds no timer.
        const now = Date.now() + (atKill.offsets.get(accountId) ?? 0);
        const dueNow = atKill.timers.filter((t) => t.dueAt <= now);
        report.timersDueWhileDown += dueNow.length;
        await waitTimersFired(withProbe, dueNow, k, model, 'survivors');
        atKill.timers = atKill.timers.filter((t) => t.dueAt > now);
        if (model.failures.length) break;
      }

      // Sometimes kill it again while it boots (during migrations / recovery).
      if (rng.bool(options.bootKillRate)) {
        const v = nodes[rng.pick(victims)]!;
        v.spawn();
        await sleep(rng.int(0, 600));
        await v.kill('SIGKILL');
        report.bootKills++;
      }

      // 2. Restart on the same data.
      const bootStart = Date.now();
      for (const v of victims) nodes[v]!.spawn();
      await Promise.all(victims.map((v) => nodes[v]!.waitReady()));
      const readyAt = Date.now();
      report.bootMs += readyAt - bootStart;
      for (const o of deliveryObligations.values()) if (o.deadline === Number.POSITIVE_INFINITY) o.deadline = readyAt + 60_000;

      // Timers that fell due while the process was down (or were overdue at the kill) fire, once.
      const offset = atKill.offsets.get(accountId) ?? 0;
      const due = atKill.timers.filter((t) => t.dueAt <= readyAt + offset);
      report.timersDueWhileDown += due.length;
      await waitTimersFired(withProbe, due, k, model);

      // Requests in doubt: the same request with the same key settles them — exactly one effect.
      for (const op of inDoubt) await resolveInDoubt(client, model, op);
      report.inDoubtResolved += inDoubt.length;

      // Now everything the model knows must be in the store exactly, and visible through the API.
      await withProbe((probe) => checkModelAgainstStore(probe, model, accountId, [], `cycle ${k}, after restart`));
      await checkThroughApi(client, model, features, rng);
      checkDeliveries(receiver, deliveryObligations, model, report);
      report.checkMs += Date.now() - readyAt;
      if (k % 10 === 0 || k === options.kills) {
        log(`  kill ${k}/${options.kills} (${Math.round((Date.now() - started) / 1000)} s): ${model.ops.length} ops, ${model.sessions.size} sessions, ${model.orders.size} orders, ${report.inDoubtResolved} in doubt resolved, ${report.timersDueWhileDown} timers due while down, ${receiver.received.length} deliveries, ${Math.round(report.checkMs / 1000)} s checking`);
      }
    }

    // The end: everything carried over is delivered, and the process stops cleanly.
    if (model.failures.length === 0) {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && [...deliveryObligations.keys()].some((b) => !receiver.bodies().has(b))) await sleep(100);
      for (const o of deliveryObligations.values()) o.deadline = Math.min(o.deadline, Date.now());
      checkDeliveries(receiver, deliveryObligations, model);
      await withProbe(async (probe) => {
        model.failures.push(...(await storeViolations(probe)).map((v) => `[final] ${v}`));
        await checkModelAgainstStore(probe, model, accountId, [], 'final');
      });
      for (const [i, n] of nodes.entries()) {
        const code = await n.kill('SIGTERM');
        if (code !== 0) model.fail(`node ${i + 1}: SIGTERM exit code ${code}`);
      }
    }
  } finally {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL').catch(() => undefined)));
    client.close();
    await receiver.stop();
    report.operations = model.ops.length;
    report.deliveries = receiver.received.length;
    report.durationMs = Date.now() - started;
    await dropDatabase().catch(() => undefined);
    if (!options.keepDir && model.failures.length === 0) rmSync(dir, { recursive: true, force: true });
  }
  return report;
}

async function armNextTimer(ctx: WorkloadContext, rng: Prng, withProbe: <T>(f: (p: StoreProbe) => Promise<T>) => Promise<T>, accountId: string): Promise<void> {
  const { pending, offset } = await withProbe(async (p) => ({ pending: await timers(p), offset: (await accountOffsets(p)).get(accountId) ?? 0 }));
  const now = Date.now() + offset;
  const next = pending.filter((t) => t.accountId === accountId && t.dueAt > now + 3000).sort((a, b) => a.dueAt - b.dueAt)[0];
  if (!next) return;
  const seconds = Math.floor((next.dueAt - now) / 1000) - rng.int(0, 2);
  if (seconds > 0 && seconds <= 30 * 86400) await advanceBy(ctx, rng, seconds);
}

/**
 * The store against the model. With requests in doubt (`inDoubt`), the store may hold their
 * effects too — but nothing else; with none, it must match exactly.
 */
async function checkModelAgainstStore(probe: StoreProbe, model: Model, accountId: string, inDoubt: Op[], where: string): Promise<void> {
  const fail = (m: string) => model.failures.push(`[${where}] ${m}`);
  const doubt = (kind: string, target?: string) => inDoubt.filter((o) => o.kind === kind && (target === undefined || o.target === target));
  const sessions = new Map((await aggregates(probe, 'session')).filter((a) => a.accountId === accountId).map((a) => [a.id, a.state]));
  const orders = new Map((await aggregates(probe, 'order')).filter((a) => a.accountId === accountId).map((a) => [a.id, a.state]));

  for (const s of model.sessions.values()) {
    const stored = sessions.get(s.id);
    if (!stored) {
      fail(`acknowledged session ${s.id} is missing`);
      continue;
    }
    const updating = doubt('session.update', s.id).map((o) => (o.body as { order_amount: number }).order_amount);
    if (stored.order_amount !== s.body.order_amount && !updating.includes(stored.order_amount)) fail(`session ${s.id}: order_amount ${stored.order_amount}, acknowledged ${s.body.order_amount}`);
    if (s.status === 'complete' && s.tokenize && stored.status !== 'complete') fail(`session ${s.id}: acknowledged customer token, session ${stored.status}`);
    if (s.status === 'complete' && !s.tokenize && (stored.status !== 'complete' || stored.order_id !== s.orderId)) fail(`session ${s.id}: acknowledged complete with order ${s.orderId}, stored ${stored.status} ${stored.order_id}`);
    if (s.status !== 'complete' && stored.status === 'complete' && doubt('order.create', s.id).length + doubt('customer-token.create', s.id).length === 0) fail(`session ${s.id}: complete without an acknowledged order`);
  }
  const extraSessions = sessions.size - model.sessions.size;
  if (extraSessions < 0 || extraSessions > doubt('session.create').length) fail(`${sessions.size} sessions stored, ${model.sessions.size} acknowledged, ${doubt('session.create').length} in doubt`);

  for (const o of model.orders.values()) {
    const stored = orders.get(o.id);
    if (!stored) {
      fail(`acknowledged order ${o.id} is missing`);
      continue;
    }
    const amendments = doubt('order.update-authorization', o.id).map((op) => (op.body as { order_amount: number }).order_amount);
    if (stored.order_amount !== o.amount && !amendments.includes(stored.order_amount)) fail(`order ${o.id}: order_amount ${stored.order_amount}, acknowledged ${o.amount}`);
    if (o.released && stored.remaining_authorized_amount !== 0) fail(`order ${o.id}: acknowledged release, remaining ${stored.remaining_authorized_amount}`);
    const storedCaptures = new Map<string, number>((stored.captures ?? []).map((c: any) => [c.capture_id, c.captured_amount]));
    const storedRefunds = new Map<string, number>((stored.refunds ?? []).map((r: any) => [r.refund_id, r.refunded_amount]));
    compareEffects(fail, `order ${o.id} capture`, o.captures, storedCaptures, doubt('capture', o.id).map((op) => (op.body as { captured_amount: number }).captured_amount));
    compareEffects(fail, `order ${o.id} refund`, o.refunds, storedRefunds, doubt('refund', o.id).map((op) => (op.body as { refunded_amount: number }).refunded_amount));
    if (o.cancelled && stored.status !== 'CANCELLED') fail(`order ${o.id}: acknowledged cancel, stored ${stored.status}`);
    if (!o.cancelled && stored.status === 'CANCELLED' && doubt('order.cancel', o.id).length === 0 && !o.frozen) fail(`order ${o.id}: CANCELLED without an acknowledged cancel`);
  }
  const orderCreates = doubt('order.create').length + doubt('customer-token.order').length + doubt('v2.authorize-token').length;
  const extraOrders = orders.size - model.orders.size;
  if (extraOrders < 0 || extraOrders > orderCreates) fail(`${orders.size} orders stored, ${model.orders.size} acknowledged, ${orderCreates} in doubt`);
  const tokens = (await aggregates(probe, customerTokenType)).filter((a) => a.accountId === accountId);
  for (const t of model.customerTokens.keys()) if (!tokens.some((x) => x.id === t)) fail(`acknowledged customer token ${t} is missing`);
  const extraTokens = tokens.length - model.customerTokens.size;
  if (extraTokens < 0 || extraTokens > doubt('customer-token.create').length) fail(`${tokens.length} customer tokens stored, ${model.customerTokens.size} acknowledged`);

  // v2 payment requests: each acknowledged one is stored with its amount and (final) state, and its
  // current state's webhook was written in the same transaction as the state.
  const requests = new Map((await aggregates(probe, paymentRequestType)).filter((a) => a.accountId === accountId).map((a) => [a.state.payment_request_id as string, a.state]));
  if (model.paymentRequests.size || requests.size) {
    const rows = await outbox(probe);
    const webhookEvents = new Set(
      rows
        .filter((r) => r.kind === 'webhook')
        .map((r) => {
          const env = JSON.parse(r.body);
          return `${env.payload?.payment_request_id}\u0000${env.metadata?.event_type}`;
        }),
    );
    for (const r of model.paymentRequests.values()) {
      const stored = requests.get(r.id);
      if (!stored) {
        fail(`acknowledged payment request ${r.id} is missing`);
        continue;
      }
      const updating = doubt('v2.update', r.id).map((op) => (op.body as { amount: number }).amount);
      if (stored.amount !== r.amount && !updating.includes(stored.amount)) fail(`payment request ${r.id}: amount ${stored.amount}, acknowledged ${r.amount}`);
      if (r.state === 'CANCELED' && stored.state !== 'CANCELED') fail(`payment request ${r.id}: acknowledged cancel, stored ${stored.state}`);
      if ((r.state === 'COMPLETED' || r.state === 'AUTHORIZED') && stored.state !== 'COMPLETED') fail(`payment request ${r.id}: acknowledged approval, stored ${stored.state}`);
    }
    for (const [id, stored] of requests) {
      const type = `payment.request.state-change.${String(stored.state).toLowerCase().replace('_', '-')}`;
      if (!webhookEvents.has(`${id}\u0000${type}`)) fail(`payment request ${id} is ${stored.state} but no ${type} webhook was written with it (half-applied)`);
    }
    const extra = requests.size - model.paymentRequests.size;
    if (extra < 0 || extra > doubt('v2.authorize-step-up').length) fail(`${requests.size} payment requests stored, ${model.paymentRequests.size} acknowledged`);
  }

  const offsetMs = (await accountOffsets(probe)).get(accountId) ?? 0;
  const pendingSeconds = doubt('clock.advance').reduce((s, o) => s + (o.body as { seconds: number }).seconds, 0);
  if (offsetMs < model.clockSeconds * 1000 || offsetMs > (model.clockSeconds + pendingSeconds) * 1000) {
    fail(`account clock offset ${offsetMs / 1000} s, acknowledged advances ${model.clockSeconds} s (+${pendingSeconds} s in doubt)`);
  }
}

/** Acknowledged effects must all be stored with their amounts; extra ones only from requests in doubt. */
function compareEffects(fail: (m: string) => void, what: string, acked: Map<string, number>, stored: Map<string, number>, inDoubtAmounts: number[]): void {
  for (const [id, amount] of acked) {
    if (!stored.has(id)) fail(`acknowledged ${what} ${id} (${amount}) is missing`);
    else if (stored.get(id) !== amount) fail(`${what} ${id}: stored ${stored.get(id)}, acknowledged ${amount}`);
  }
  const extra = [...stored].filter(([id]) => !acked.has(id));
  const pool = [...inDoubtAmounts];
  for (const [id, amount] of extra) {
    const i = pool.indexOf(amount);
    if (i < 0) fail(`${what} ${id} (${amount}) was never acknowledged nor in doubt (a second effect?)`);
    else pool.splice(i, 1);
  }
}

async function waitTimersFired(withProbe: <T>(f: (p: StoreProbe) => Promise<T>) => Promise<T>, due: TimerRow[], cycle: number, model: Model, by = 'restart'): Promise<void> {
  if (due.length === 0) return;
  const deadline = Date.now() + 30_000;
  let left = due;
  while (left.length && Date.now() < deadline) {
    const present = await withProbe(async (p) => new Set((await timers(p)).map((t) => t.id)));
    left = left.filter((t) => present.has(t.id));
    if (left.length) await sleep(50);
  }
  for (const t of left) {
    const when = by === 'restart' ? 'fell due while the process was down and did not fire after the restart' : 'was due at the kill and the surviving nodes did not fire it';
    model.fail(`[cycle ${cycle}] timer ${t.id} (${t.kind}, due ${new Date(t.dueAt).toISOString()}) ${when}`);
  }
  // Exactly once: a timer's command is stamped with its due time; two firings would leave two
  // identical events (same aggregate, same type) at that instant.
  const all = await withProbe((p) => events(p, [...new Set(due.map((t) => t.dueAt))]));
  const dueTimes = new Set(due.map((t) => `${t.accountId}\u0000${t.dueAt}`));
  const seen = new Map<string, number>();
  for (const e of all) {
    if (!dueTimes.has(`${e.accountId}\u0000${e.occurredAt}`)) continue;
    const k = `${e.aggregateType}\u0000${e.aggregateId}\u0000${e.type}\u0000${e.occurredAt}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  for (const [k, n] of seen) if (n > 1) model.fail(`[cycle ${cycle}] event ${k.replaceAll('\u0000', ' ')} recorded ${n} times: a timer fired more than once`);
}

async function resolveInDoubt(client: Client, model: Model, op: Op): Promise<void> {
  for (let attempt = 1; attempt <= 50; attempt++) {
    try {
      const reply = await client.call(op.method, op.path, { body: op.body, key: op.key, headers: op.headers });
      settle(model, op, reply);
      return;
    } catch (error) {
      if (!(error instanceof InDoubt)) throw error;
      await sleep(100);
    }
  }
  model.fail(`request in doubt ${op.kind} ${op.path} could not be retried`);
}

/** What users see: a sample of sessions and orders read through the API match the model. */
async function checkThroughApi(client: Client, model: Model, features: Features, rng: Prng): Promise<void> {
  const sessions = [...model.sessions.values()];
  for (let i = 0; i < Math.min(5, sessions.length); i++) {
    const s = rng.pick(sessions);
    const r = await client.call('GET', `/payments/v1/sessions/${s.id}`);
    if (r.status === 404) continue; // expired after clock advances (the store check covers it)
    if (r.status !== 200) model.fail(`GET session ${s.id}: ${r.status} ${r.text.slice(0, 200)}`);
    else if (r.json.order_amount !== s.body.order_amount) model.fail(`GET session ${s.id}: order_amount ${r.json.order_amount}, acknowledged ${s.body.order_amount}`);
    else if (s.status === 'complete' && r.json.status !== 'complete') model.fail(`GET session ${s.id}: status ${r.json.status}, acknowledged complete`);
  }
  if (!features.orderManagement) return;
  const orders = [...model.orders.values()];
  for (let i = 0; i < Math.min(5, orders.length); i++) {
    const o = rng.pick(orders);
    const r = await client.call('GET', `/ordermanagement/v1/orders/${o.id}`);
    if (r.status !== 200) {
      model.fail(`GET order ${o.id}: ${r.status} ${r.text.slice(0, 200)}`);
      continue;
    }
    const captured = [...o.captures.values()].reduce((a, b) => a + b, 0);
    const refunded = [...o.refunds.values()].reduce((a, b) => a + b, 0);
    if (r.json.captured_amount !== captured || r.json.refunded_amount !== refunded || r.json.order_amount !== o.amount) {
      model.fail(`GET order ${o.id}: amounts ${r.json.order_amount}/${r.json.captured_amount}/${r.json.refunded_amount}, acknowledged ${o.amount}/${captured}/${refunded}`);
    }
  }
}

function checkDeliveries(receiver: Receiver, obligations: Map<string, { eventId: string; deadline: number; cycle: number; leaseUntil?: number }>, model: Model, report?: CrashReport): void {
  const now = Date.now();
  for (const [body, o] of obligations) {
    const arrived = receiver.firstArrival.get(body);
    if (arrived !== undefined) {
      const eventId = eventIdOf(body);
      if (eventId !== undefined && eventId !== o.eventId) model.fail(`delivery carried event_id ${eventId}, outbox row has ${o.eventId}`);
      if (arrived > o.deadline) model.fail(`outbox event ${o.eventId} pending at kill ${o.cycle} arrived ${Math.round((arrived - o.deadline) / 1000)} s after its deadline${o.leaseUntil ? ' (it was under a lease at the kill)' : ''}`);
      else if (o.leaseUntil !== undefined && arrived >= o.leaseUntil && report) report.expiredLeasesTakenOver++;
      obligations.delete(body);
    } else if (now > o.deadline) {
      model.fail(`outbox event ${o.eventId} committed before kill ${o.cycle} was not delivered within 60 s of the restart`);
      obligations.delete(body);
    }
  }
}

function eventIdOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body);
    return parsed?.metadata?.event_id ?? parsed?.event_id;
  } catch {
    return undefined;
  }
}
