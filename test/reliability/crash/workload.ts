/**
 * The crash harness's workload: concurrent clients driving whole lifecycles (sessions, updates,
 * authorizations, orders, captures, refunds, cancels, clock advances, idempotent replays) against
 * a Kassa process, and the client-side model of what every acknowledged operation must have left
 * behind. Actions are chosen from the model's current state, so a lifecycle simply continues after
 * a restart. Each object is worked on by one client at a time (races are the concurrency suite's
 * job); every mutation carries a Klarna-Idempotency-Key so an in-doubt request can be resolved.
 *
 * Which families are exercised follows what the server offers (its /openapi.json): Order
 * Management actions join in once those routes exist.
 */
import { swedishOrder } from '../../fixtures/orders.js';
import type { Prng } from '../support/prng.js';
import { Client, InDoubt, type Reply } from './client.js';

export interface Features {
  orderManagement: boolean;
  customerTokens: boolean;
  paymentRequests: boolean;
}

export function featuresOf(operationKeys: Set<string>): Features {
  return {
    orderManagement: operationKeys.has('POST /ordermanagement/v1/orders/{order_id}/captures'),
    customerTokens: operationKeys.has('POST /customer-token/v1/tokens/{customerToken}/order'),
    paymentRequests: operationKeys.has('POST /v2/accounts/{partner_account_id}/payment/authorize') && operationKeys.has('POST /v2/notification/webhooks'),
  };
}

export interface SessionModel {
  id: string;
  body: ReturnType<typeof orderBody>;
  /** The session ended (expired, or its token can no longer make an order): no more actions. */
  dead: boolean;
  status: 'incomplete' | 'complete';
  token?: string;
  tokenState?: 'valid' | 'consumed' | 'cancelled' | 'gone';
  /** Authorized with a pending-fraud persona: its order is left to its timers. */
  pending?: boolean;
  orderId?: string;
  /** intent tokenize: the authorization becomes a customer token instead of an order. */
  tokenize?: boolean;
  busy: boolean;
}

export interface PaymentRequestModel {
  id: string;
  amount: number;
  /** As last acknowledged; timers may move it on (EXPIRED) without the client knowing. */
  state: 'SUBMITTED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELED' | 'AUTHORIZED' | 'GONE';
  networkSessionToken?: string;
  orderId?: string;
  busy: boolean;
}

export interface CustomerTokenModel {
  id: string;
  busy: boolean;
}

export interface OrderModel {
  id: string;
  sessionId: string;
  amount: number;
  captures: Map<string, number>;
  refunds: Map<string, number>;
  cancelled: boolean;
  /** The rest of the authorization was released: nothing more can be captured. */
  released: boolean;
  /** Orders whose fraud review is pending, or that were refused an operation: only observed. */
  frozen: boolean;
  busy: boolean;
}

export interface Op {
  seq: number;
  cycle: number;
  kind: string;
  method: string;
  path: string;
  body?: unknown;
  key: string;
  /** Object the op works on (for "which in-doubt ops could explain this"). */
  target?: string;
  /** Statuses besides 2xx that are a legitimate answer (e.g. 404 once a session expired). */
  allowed: number[];
  headers?: Record<string, string>;
  apply: (reply: Reply) => void;
  state: 'sent' | 'done' | 'indoubt';
  reply?: Reply;
  /** Seconds the account clock had moved when the op was sent (idempotency keys live ≥ 24 h). */
  clockAt: number;
}

export class Stop extends Error {
  override name = 'Stop';
}

export class Model {
  readonly sessions = new Map<string, SessionModel>();
  readonly orders = new Map<string, OrderModel>();
  readonly customerTokens = new Map<string, CustomerTokenModel>();
  readonly paymentRequests = new Map<string, PaymentRequestModel>();
  readonly ops: Op[] = [];
  readonly failures: string[] = [];
  /** Seconds the account clock was moved by acknowledged advances. */
  clockSeconds = 0;
  seq = 0;
  cycle = 0;
  counts: Record<string, number> = {};
  /** The first answer of each refused (4xx) kind, for the report. */
  refusals: Record<string, string> = {};

  inDoubt(): Op[] {
    return this.ops.filter((o) => o.state === 'indoubt');
  }

  fail(message: string): void {
    this.failures.push(`[cycle ${this.cycle}] ${message}`);
  }
}

export function orderBody(amount: number, receiverUrl: string) {
  return {
    ...swedishOrder(amount),
    merchant_reference1: `crash-${amount}`,
    merchant_urls: {
      authorization: `${receiverUrl}/authorization/{session.id}`,
      confirmation: `${receiverUrl}/confirmation/{order.id}`,
      notification: `${receiverUrl}/notification`,
    },
  };
}

export interface WorkloadContext {
  client: Client;
  model: Model;
  features: Features;
  receiverUrl: string;
  accountId: string;
}

const is2xx = (s: number) => s >= 200 && s < 300;

/** Sends an op, records the reply (or that it is in doubt), applies it to the model. */
export async function send(ctx: WorkloadContext, op: Omit<Op, 'seq' | 'cycle' | 'state' | 'clockAt'>): Promise<Reply> {
  const full: Op = { ...op, seq: ++ctx.model.seq, cycle: ctx.model.cycle, state: 'sent', clockAt: ctx.model.clockSeconds };
  ctx.model.ops.push(full);
  let reply: Reply;
  try {
    reply = await ctx.client.call(full.method, full.path, { body: full.body, key: full.key, headers: full.headers });
  } catch (error) {
    if (error instanceof InDoubt) {
      full.state = 'indoubt';
      throw new Stop(error.message);
    }
    throw error;
  }
  settle(ctx.model, full, reply);
  return reply;
}

/** Records the final answer of an op (first try or in-doubt retry) and updates the model. */
export function settle(model: Model, op: Op, reply: Reply): void {
  op.reply = reply;
  op.state = 'done';
  model.counts[`${op.kind} ${reply.status}`] = (model.counts[`${op.kind} ${reply.status}`] ?? 0) + 1;
  if (reply.status >= 400) model.refusals[`${op.kind} ${reply.status}`] ??= reply.text.slice(0, 200);
  if (reply.status >= 500) model.fail(`${op.kind} ${op.method} ${op.path} answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  else if (!is2xx(reply.status) && !op.allowed.includes(reply.status)) model.fail(`${op.kind} ${op.method} ${op.path} answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  if (!reply.headers['klarna-correlation-id']) model.fail(`${op.kind}: no Klarna-Correlation-Id header`);
  op.apply(reply);
}

type Action = (ctx: WorkloadContext, rng: Prng) => Promise<void> | undefined;

const key = (rng: Prng) => rng.uuid();

const createSession: Action = (ctx, rng) => {
  const amount = rng.int(1, 4) * 2500 + rng.int(0, 5) * 100;
  const tokenize = ctx.features.customerTokens && rng.bool(0.1);
  const body = { ...orderBody(amount, ctx.receiverUrl), ...(tokenize ? { intent: 'tokenize' as const } : {}) };
  return send(ctx, {
    kind: 'session.create',
    method: 'POST',
    path: '/payments/v1/sessions',
    body,
    key: key(rng),
    allowed: [],
    apply: (r) => {
      if (r.status !== 200) return;
      const id = r.json?.session_id;
      if (typeof id !== 'string') return ctx.model.fail(`session.create: no session_id in ${r.text}`);
      if (ctx.model.sessions.has(id)) return ctx.model.fail(`session.create: session ${id} answered twice`);
      ctx.model.sessions.set(id, { id, body, dead: false, status: 'incomplete', busy: false, tokenize });
    },
  }).then(() => undefined);
};

function pickSession(ctx: WorkloadContext, rng: Prng, want: (s: SessionModel) => boolean): SessionModel | undefined {
  const candidates = [...ctx.model.sessions.values()].filter((s) => !s.busy && !s.dead && want(s));
  if (candidates.length === 0) return undefined;
  const s = rng.pick(candidates.slice(-20));
  s.busy = true;
  return s;
}

function pickOrder(ctx: WorkloadContext, rng: Prng, want: (o: OrderModel) => boolean): OrderModel | undefined {
  const candidates = [...ctx.model.orders.values()].filter((o) => !o.busy && !o.frozen && want(o));
  if (candidates.length === 0) return undefined;
  const o = rng.pick(candidates.slice(-20));
  o.busy = true;
  return o;
}

const updateSession: Action = (ctx, rng) => {
  const s = pickSession(ctx, rng, (x) => x.status === 'incomplete' && !x.token);
  if (!s) return undefined;
  const body = { ...orderBody(rng.int(1, 4) * 2500 + rng.int(0, 5) * 100, ctx.receiverUrl), ...(s.tokenize ? { intent: 'tokenize' as const } : {}) };
  return send(ctx, {
    kind: 'session.update',
    method: 'POST',
    path: `/payments/v1/sessions/${s.id}`,
    body,
    key: key(rng),
    target: s.id,
    allowed: [404],
    apply: (r) => {
      if (r.status === 204) s.body = body;
      else if (r.status === 404) s.dead = true;
      s.busy = false;
    },
  }).then(() => undefined);
};

const authorize: Action = (ctx, rng) => {
  const s = pickSession(ctx, rng, (x) => x.status === 'incomplete' && x.tokenState !== 'valid');
  if (!s) return undefined;
  // Pending-fraud personas leave a review timer; its handler belongs to Order Management.
  const pending = ctx.features.orderManagement && !s.tokenize && rng.bool(0.15);
  const body = pending ? { billing_address: { email: `customer+pend-${rng.pick(['accept', 'reject'])}-01@email.se` } } : {};
  return send(ctx, {
    kind: 'authorize',
    method: 'POST',
    path: `/sandbox/v1/sessions/${s.id}/authorize`,
    body,
    key: key(rng),
    target: s.id,
    allowed: [404],
    apply: (r) => {
      if (r.status === 200 && r.json?.approved === true && typeof r.json.authorization_token === 'string') {
        s.token = r.json.authorization_token;
        s.tokenState = 'valid';
        // The answer says it: the customer data a session was first authorized with stays with it.
        s.pending = r.json.fraud_status === 'PENDING';
      } else if (r.status === 200) ctx.model.fail(`authorize: not approved: ${r.text}`);
      else s.dead = true;
      s.busy = false;
    },
  }).then(() => undefined);
};

const createOrder: Action = (ctx, rng) => {
  const s = pickSession(ctx, rng, (x) => x.status === 'incomplete' && x.tokenState === 'valid' && !x.tokenize);
  if (!s) return undefined;
  const token = s.token!;
  return send(ctx, {
    kind: 'order.create',
    method: 'POST',
    path: `/payments/v1/authorizations/${token}/order`,
    body: s.body,
    key: key(rng),
    target: s.id,
    allowed: [404],
    apply: (r) => {
      if (r.status === 200) {
        const id = r.json?.order_id;
        if (typeof id !== 'string') return ctx.model.fail(`order.create: no order_id in ${r.text}`);
        if (ctx.model.orders.has(id)) return ctx.model.fail(`order.create: order ${id} answered twice`);
        s.status = 'complete';
        s.orderId = id;
        s.tokenState = 'consumed';
        ctx.model.orders.set(id, newOrder(id, s.id, s.body.order_amount, Boolean(s.pending) || r.json?.fraud_status === 'PENDING'));
      } else s.tokenState = 'gone'; // expired token: the session may be authorized again
      s.busy = false;
    },
  }).then(() => undefined);
};

const cancelAuthorization: Action = (ctx, rng) => {
  const s = pickSession(ctx, rng, (x) => x.status === 'incomplete' && x.tokenState === 'valid');
  if (!s) return undefined;
  return send(ctx, {
    kind: 'authorization.cancel',
    method: 'DELETE',
    path: `/payments/v1/authorizations/${s.token}`,
    key: key(rng),
    target: s.id,
    allowed: [404],
    apply: (r) => {
      s.tokenState = r.status === 204 ? 'cancelled' : 'gone';
      s.busy = false;
    },
  }).then(() => undefined);
};

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

function newOrder(id: string, sessionId: string, amount: number, frozen: boolean): OrderModel {
  return { id, sessionId, amount, captures: new Map(), refunds: new Map(), cancelled: false, released: false, frozen, busy: false };
}

const createCustomerToken: Action = (ctx, rng) => {
  const s = pickSession(ctx, rng, (x) => x.status === 'incomplete' && x.tokenState === 'valid' && Boolean(x.tokenize));
  if (!s) return undefined;
  return send(ctx, {
    kind: 'customer-token.create',
    method: 'POST',
    path: `/payments/v1/authorizations/${s.token}/customer-token`,
    body: { description: 'crash harness subscription', intended_use: 'SUBSCRIPTION', locale: 'sv-SE', purchase_country: 'SE', purchase_currency: 'SEK' },
    key: key(rng),
    target: s.id,
    allowed: [404],
    apply: (r) => {
      if (r.status === 200) {
        const id = r.json?.token_id;
        if (typeof id !== 'string') return ctx.model.fail(`customer-token.create: no token_id in ${r.text}`);
        s.status = 'complete';
        s.tokenState = 'consumed';
        ctx.model.customerTokens.set(id, { id, busy: false });
      } else s.tokenState = 'gone';
      s.busy = false;
    },
  }).then(() => undefined);
};

const chargeCustomerToken: Action = (ctx, rng) => {
  const candidates = [...ctx.model.customerTokens.values()].filter((x) => !x.busy);
  if (candidates.length === 0) return undefined;
  const token = rng.pick(candidates);
  token.busy = true;
  const amount = rng.int(1, 3) * 1000;
  const { purchase_country: _c, locale: _l, ...order } = swedishOrder(amount);
  return send(ctx, {
    kind: 'customer-token.order',
    method: 'POST',
    path: `/customer-token/v1/tokens/${token.id}/order`,
    body: { ...order, merchant_urls: { notification: `${ctx.receiverUrl}/notification` } },
    key: key(rng),
    target: token.id,
    allowed: [],
    apply: (r) => {
      if (r.status === 200) {
        const id = r.json?.order_id;
        if (typeof id !== 'string') return ctx.model.fail(`customer-token.order: no order_id in ${r.text}`);
        if (ctx.model.orders.has(id)) return ctx.model.fail(`customer-token.order: order ${id} answered twice`);
        ctx.model.orders.set(id, newOrder(id, `token:${token.id}`, amount, r.json?.fraud_status === 'PENDING'));
      }
      token.busy = false;
    },
  }).then(() => undefined);
};

function pickRequest(ctx: WorkloadContext, rng: Prng, want: (r: PaymentRequestModel) => boolean): PaymentRequestModel | undefined {
  const candidates = [...ctx.model.paymentRequests.values()].filter((r) => !r.busy && want(r));
  if (candidates.length === 0) return undefined;
  const r = rng.pick(candidates.slice(-20));
  r.busy = true;
  return r;
}

const purchase = (amount: number) => ({ currency: 'EUR', request_payment_transaction: { amount, payment_transaction_reference: `crash-${amount}` } });

/** v2: authorize with a step-up configuration -> a SUBMITTED payment request. */
const requestPayment: Action = (ctx, rng) => {
  const amount = rng.int(10, 200) * 100;
  return send(ctx, {
    kind: 'v2.authorize-step-up',
    method: 'POST',
    path: `/v2/accounts/${ctx.accountId}/payment/authorize`,
    body: { ...purchase(amount), step_up_config: { payment_request_reference: `crash-${amount}`, customer_interaction_config: { method: 'HANDOVER', return_url: `${ctx.receiverUrl}/return` } } },
    key: key(rng),
    allowed: [],
    apply: (r) => {
      const pr = r.json?.payment_request;
      if (r.status !== 200 || typeof pr?.payment_request_id !== 'string') return ctx.model.fail(`v2.authorize-step-up: ${r.status} ${r.text.slice(0, 200)}`);
      ctx.model.paymentRequests.set(pr.payment_request_id, { id: pr.payment_request_id, amount, state: 'SUBMITTED', busy: false });
    },
  }).then(() => undefined);
};

/** v2: the customer's journey, headless: enter, then approve (or abort). */
const journeyStep: Action = (ctx, rng) => {
  const r = pickRequest(ctx, rng, (x) => x.state === 'SUBMITTED' || x.state === 'IN_PROGRESS');
  if (!r) return undefined;
  const action = r.state === 'SUBMITTED' ? 'enter' : rng.pick(['approve', 'approve', 'approve', 'abort'] as const);
  return send(ctx, {
    kind: `v2.journey.${action}`,
    method: 'POST',
    path: `/sandbox/v2/payment/requests/${encodeURIComponent(r.id)}/journey`,
    body: action === 'approve' ? { action, customer: { email: 'customer@email.de' } } : { action },
    key: key(rng),
    target: r.id,
    allowed: [404, 409],
    apply: (reply) => {
      const state = reply.json?.payment_request?.state;
      if (reply.status === 200 && typeof state === 'string') {
        r.state = state === 'COMPLETED' || state === 'IN_PROGRESS' || state === 'SUBMITTED' || state === 'CANCELED' ? state : 'GONE';
        if (state === 'COMPLETED') r.networkSessionToken = reply.json.payment_request.state_context?.klarna_network_session_token;
      } else r.state = 'GONE'; // expired meanwhile
      r.busy = false;
    },
  }).then(() => undefined);
};

/** v2: authorize with the approved request's token -> a payment transaction, managed as an order. */
const finalizePayment: Action = (ctx, rng) => {
  const r = pickRequest(ctx, rng, (x) => x.state === 'COMPLETED' && Boolean(x.networkSessionToken));
  if (!r) return undefined;
  return send(ctx, {
    kind: 'v2.authorize-token',
    method: 'POST',
    path: `/v2/accounts/${ctx.accountId}/payment/authorize`,
    body: purchase(r.amount),
    headers: { 'klarna-network-session-token': r.networkSessionToken! },
    key: key(rng),
    target: r.id,
    allowed: [400, 403, 404, 409],
    apply: (reply) => {
      const tx = reply.json?.payment_transaction_response?.payment_transaction;
      if (reply.status === 200 && typeof tx?.payment_transaction_id === 'string') {
        const orderId = tx.payment_transaction_id.slice(tx.payment_transaction_id.lastIndexOf(':') + 1);
        r.state = 'AUTHORIZED';
        r.orderId = orderId;
        if (ctx.model.orders.has(orderId)) ctx.model.fail(`v2.authorize-token: order ${orderId} answered twice`);
        ctx.model.orders.set(orderId, newOrder(orderId, `payment_request:${r.id}`, r.amount, false));
      } else r.state = 'GONE'; // the token expired (60 min) after clock advances
      r.busy = false;
    },
  }).then(() => undefined);
};

const cancelRequest: Action = (ctx, rng) => {
  const r = pickRequest(ctx, rng, (x) => x.state === 'SUBMITTED' || x.state === 'IN_PROGRESS');
  if (!r) return undefined;
  return send(ctx, {
    kind: 'v2.cancel',
    method: 'DELETE',
    path: `/v2/payment/requests/${encodeURIComponent(r.id)}`,
    key: key(rng),
    target: r.id,
    allowed: [404, 409],
    apply: (reply) => {
      r.state = reply.status === 200 ? 'CANCELED' : 'GONE';
      r.busy = false;
    },
  }).then(() => undefined);
};

const updateRequest: Action = (ctx, rng) => {
  const r = pickRequest(ctx, rng, (x) => x.state === 'SUBMITTED');
  if (!r) return undefined;
  const amount = rng.int(10, 200) * 100;
  return send(ctx, {
    kind: 'v2.update',
    method: 'PATCH',
    path: `/v2/payment/requests/${encodeURIComponent(r.id)}`,
    body: { amount },
    key: key(rng),
    target: r.id,
    allowed: [404, 409],
    apply: (reply) => {
      if (reply.status === 200) r.amount = amount;
      else r.state = 'GONE';
      r.busy = false;
    },
  }).then(() => undefined);
};

const releaseRemaining: Action = (ctx, rng) => {
  const o = pickOrder(ctx, rng, (x) => !x.cancelled && !x.released && x.captures.size > 0 && sum(x.captures) < x.amount);
  if (!o) return undefined;
  return send(ctx, {
    kind: 'order.release',
    method: 'POST',
    path: `/ordermanagement/v1/orders/${o.id}/release-remaining-authorization`,
    key: key(rng),
    target: o.id,
    allowed: [403],
    apply: (r) => {
      if (r.status === 204) o.released = true;
      else o.frozen = true;
      o.busy = false;
    },
  }).then(() => undefined);
};

/** Lowers the authorized amount (never below what is captured). */
const updateAuthorization: Action = (ctx, rng) => {
  const o = pickOrder(ctx, rng, (x) => !x.cancelled && !x.released && x.amount - sum(x.captures) >= 200);
  if (!o) return undefined;
  const amount = rng.int(Math.max(sum(o.captures), 100), o.amount - 100);
  return send(ctx, {
    kind: 'order.update-authorization',
    method: 'PATCH',
    path: `/ordermanagement/v1/orders/${o.id}/authorization`,
    body: { order_amount: amount, order_lines: swedishOrder(amount).order_lines, description: 'crash harness' },
    key: key(rng),
    target: o.id,
    allowed: [403],
    apply: (r) => {
      if (r.status === 204) o.amount = amount;
      else o.frozen = true;
      o.busy = false;
    },
  }).then(() => undefined);
};

const capture: Action = (ctx, rng) => {
  const o = pickOrder(ctx, rng, (x) => !x.cancelled && !x.released && sum(x.captures) < x.amount);
  if (!o) return undefined;
  const remaining = o.amount - sum(o.captures);
  const amount = rng.bool(0.3) ? remaining : rng.int(1, remaining);
  return send(ctx, {
    kind: 'capture',
    method: 'POST',
    path: `/ordermanagement/v1/orders/${o.id}/captures`,
    body: { captured_amount: amount, description: 'crash harness' },
    key: key(rng),
    target: o.id,
    allowed: [403],
    apply: (r) => {
      if (r.status === 201) {
        const id = r.headers['capture-id'];
        if (!id) ctx.model.fail(`capture: no Capture-Id header`);
        else if (o.captures.has(id)) ctx.model.fail(`capture: capture ${id} answered twice`);
        else o.captures.set(id, amount);
      } else o.frozen = true; // e.g. the authorization expired after many clock advances
      o.busy = false;
    },
  }).then(() => undefined);
};

const refund: Action = (ctx, rng) => {
  const o = pickOrder(ctx, rng, (x) => sum(x.captures) > sum(x.refunds));
  if (!o) return undefined;
  const refundable = sum(o.captures) - sum(o.refunds);
  const amount = rng.bool(0.3) ? refundable : rng.int(1, refundable);
  return send(ctx, {
    kind: 'refund',
    method: 'POST',
    path: `/ordermanagement/v1/orders/${o.id}/refunds`,
    body: { refunded_amount: amount, description: 'crash harness' },
    key: key(rng),
    target: o.id,
    allowed: [403],
    apply: (r) => {
      if (r.status === 201) {
        const id = r.headers['refund-id'];
        if (!id) ctx.model.fail(`refund: no Refund-Id header`);
        else if (o.refunds.has(id)) ctx.model.fail(`refund: refund ${id} answered twice`);
        else o.refunds.set(id, amount);
      } else o.frozen = true;
      o.busy = false;
    },
  }).then(() => undefined);
};

const cancelOrder: Action = (ctx, rng) => {
  const o = pickOrder(ctx, rng, (x) => !x.cancelled && x.captures.size === 0);
  if (!o) return undefined;
  return send(ctx, {
    kind: 'order.cancel',
    method: 'POST',
    path: `/ordermanagement/v1/orders/${o.id}/cancel`,
    key: key(rng),
    target: o.id,
    allowed: [403],
    apply: (r) => {
      if (r.status === 204) o.cancelled = true;
      else o.frozen = true;
      o.busy = false;
    },
  }).then(() => undefined);
};

let advancing = false;
const advanceClock: Action = (ctx, rng) => {
  if (advancing) return undefined; // one advance at a time keeps the expected offset exact
  advancing = true;
  const seconds = rng.weighted([
    [20, rng.int(1, 90)],
    [3, 3600],
    [1, 26 * 3600],
  ] as const);
  return send(ctx, {
    kind: 'clock.advance',
    method: 'POST',
    path: '/sandbox/v1/clock/advance',
    body: { seconds },
    key: key(rng),
    allowed: [],
    apply: (r) => {
      if (r.status === 200) ctx.model.clockSeconds += seconds;
      advancing = false;
    },
  })
    .then(() => undefined)
    .finally(() => (advancing = false));
};

/** Moves the account clock by exactly `seconds` (the harness uses it to make timers fall due while the process is down). */
export async function advanceBy(ctx: WorkloadContext, rng: Prng, seconds: number): Promise<void> {
  if (advancing) return;
  advancing = true;
  try {
    await send(ctx, {
      kind: 'clock.advance',
      method: 'POST',
      path: '/sandbox/v1/clock/advance',
      body: { seconds },
      key: key(rng),
      allowed: [],
      apply: (r) => {
        if (r.status === 200) ctx.model.clockSeconds += seconds;
      },
    });
  } finally {
    advancing = false;
  }
}

/** Resends an acknowledged mutation with its key: the same answer, no second effect. */
const replay: Action = (ctx, rng) => {
  const recent = (o: Op) => ctx.model.clockSeconds - o.clockAt < 20 * 3600;
  const done = ctx.model.ops.filter((o) => o.state === 'done' && o.reply && is2xx(o.reply.status) && recent(o)).slice(-200);
  if (done.length === 0) return undefined;
  const first = rng.pick(done);
  return ctx.client.call(first.method, first.path, { body: first.body, key: first.key, headers: first.headers }).then(
    (r) => {
      ctx.model.counts[`replay ${r.status}`] = (ctx.model.counts[`replay ${r.status}`] ?? 0) + 1;
      const before = first.reply!;
      if (r.status !== before.status || r.text !== before.text) {
        ctx.model.fail(`replay of ${first.kind} ${first.path} (key ${first.key}) answered ${r.status} ${r.text.slice(0, 200)}; first answer ${before.status} ${before.text.slice(0, 200)}`);
      }
      for (const h of ['capture-id', 'refund-id', 'location']) {
        if (before.headers[h] !== r.headers[h]) ctx.model.fail(`replay of ${first.kind}: header ${h} ${r.headers[h]} != ${before.headers[h]}`);
      }
    },
    (error) => {
      if (error instanceof InDoubt) throw new Stop(error.message);
      throw error;
    },
  );
};

export function actionsFor(features: Features): [number, Action][] {
  const base: [number, Action][] = [
    [6, createSession],
    [2, updateSession],
    [6, authorize],
    [6, createOrder],
    [1, cancelAuthorization],
    [2, advanceClock],
    [2, replay],
  ];
  if (features.orderManagement) base.push([7, capture], [4, refund], [1, cancelOrder], [1, releaseRemaining], [1, updateAuthorization]);
  if (features.customerTokens) base.push([2, createCustomerToken], [2, chargeCustomerToken]);
  if (features.paymentRequests) base.push([3, requestPayment], [5, journeyStep], [3, finalizePayment], [1, cancelRequest], [1, updateRequest]);
  return base;
}

/** One client: picks and runs actions until told to stop or the server goes away. */
export async function runClient(ctx: WorkloadContext, rng: Prng, shouldStop: () => boolean): Promise<void> {
  const actions = actionsFor(ctx.features);
  while (!shouldStop()) {
    const action = rng.weighted(actions);
    try {
      const running = action(ctx, rng);
      if (running) await running;
      else await new Promise((r) => setImmediate(r));
    } catch (error) {
      if (error instanceof Stop) return;
      ctx.model.fail(`client error: ${(error as Error).stack ?? String(error)}`);
      return;
    }
  }
}
