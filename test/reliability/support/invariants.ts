/**
 * Invariants that must hold in any Kassa store at any moment between transactions — after a
 * crash, after a fuzz run, after a concurrency storm. Each returns human-readable violations
 * (empty = fine). They read the store from the outside (store-probe.ts), never through the API.
 *
 * - Money, on every order: amounts are safe integers ≥ 0; captured ≤ authorized; refunded ≤
 *   captured; the captures and refunds sum to the order's captured_amount and refunded_amount;
 *   remaining_authorized_amount never exceeds what is left; ids are unique.
 * - Nothing half-applied: a completed session has its order; an order from Payments v1 has its
 *   completed session, its `order.placed` event and its lookup key; a consumed authorization has
 *   its order; every live deadline has its durable timer.
 */
import { authorizationTimers } from '../../../src/app/payments/authorize-session.js';
import { sessionTimers } from '../../../src/app/payments/sessions.js';
import { orderTimers } from '../../../src/app/orders/place-order.js';
import { aggregates, timers, type StoreProbe } from './store-probe.js';

const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function orderMoneyViolations(order: any): string[] {
  const out: string[] = [];
  const id = order.order_id;
  const say = (m: string) => out.push(`order ${id}: ${m}`);
  for (const f of ['order_amount', 'original_order_amount', 'captured_amount', 'refunded_amount', 'remaining_authorized_amount']) {
    if (!isAmount(order[f])) say(`${f} is not a non-negative safe integer: ${JSON.stringify(order[f])}`);
  }
  if (out.length) return out;
  if (order.captured_amount > order.order_amount) say(`captured ${order.captured_amount} > authorized ${order.order_amount}`);
  if (order.refunded_amount > order.captured_amount) say(`refunded ${order.refunded_amount} > captured ${order.captured_amount}`);
  if (order.remaining_authorized_amount > order.order_amount - order.captured_amount) {
    say(`remaining ${order.remaining_authorized_amount} > authorized ${order.order_amount} - captured ${order.captured_amount}`);
  }
  const captures: any[] = order.captures ?? [];
  const refunds: any[] = order.refunds ?? [];
  const capturedSum = captures.reduce((s, c) => s + c.captured_amount, 0);
  const refundedSum = refunds.reduce((s, r) => s + r.refunded_amount, 0);
  if (capturedSum !== order.captured_amount) say(`captures sum to ${capturedSum}, captured_amount is ${order.captured_amount}`);
  if (refundedSum !== order.refunded_amount) say(`refunds sum to ${refundedSum}, refunded_amount is ${order.refunded_amount}`);
  for (const c of captures) {
    if (!isAmount(c.captured_amount) || c.captured_amount === 0) say(`capture ${c.capture_id} amount ${JSON.stringify(c.captured_amount)}`);
    if (c.refunded_amount !== undefined && (!isAmount(c.refunded_amount) || c.refunded_amount > c.captured_amount)) say(`capture ${c.capture_id} refunded ${c.refunded_amount} > captured ${c.captured_amount}`);
  }
  for (const r of refunds) if (!isAmount(r.refunded_amount) || r.refunded_amount === 0) say(`refund ${r.refund_id} amount ${JSON.stringify(r.refunded_amount)}`);
  if (new Set(captures.map((c) => c.capture_id)).size !== captures.length) say('duplicate capture ids');
  if (new Set(refunds.map((r) => r.refund_id)).size !== refunds.length) say('duplicate refund ids');
  if (order.status === 'AUTHORIZED' && order.captured_amount !== 0) say(`AUTHORIZED with captured_amount ${order.captured_amount}`);
  if (order.status === 'CANCELLED' && order.captured_amount !== 0) say(`CANCELLED with captured_amount ${order.captured_amount}`);
  if ((order.status === 'CANCELLED' || order.status === 'EXPIRED') && order.remaining_authorized_amount !== 0) say(`${order.status} with remaining ${order.remaining_authorized_amount}`);
  if (order.status === 'PART_CAPTURED' && !(order.captured_amount > 0)) say('PART_CAPTURED without captures');
  return out;
}

export interface InvariantOptions {
  /** Account-clock "now" per account (for deadlines that may legitimately have passed unfired). */
  nowByAccount?: Map<string, number>;
}

/** Checks every invariant over the whole store. */
export async function storeViolations(probe: StoreProbe, _options: InvariantOptions = {}): Promise<string[]> {
  const out: string[] = [];
  const orders = await aggregates(probe, 'order');
  const sessions = await aggregates(probe, 'session');
  const auths = await aggregates(probe, 'authorization');
  const timerIds = new Set((await timers(probe)).map((t) => t.id));
  // Only the order.placed events are needed: filtered by the database, not by parsing every event
  // (the crash harness runs this after every kill, over a history that keeps growing).
  const placed = new Set((await probe.query("SELECT account_id, aggregate_id FROM events WHERE type = 'order.placed'")).map((r) => `${r.account_id}\u0000${r.aggregate_id}`));
  const lookups = new Set((await probe.query("SELECT key, account_id FROM lookup_keys WHERE kind = 'order'")).map((r) => `${r.account_id}\u0000${r.key}`));
  const key = (a: { accountId: string; id: string }) => `${a.accountId}\u0000${a.id}`;
  const orderByKey = new Map(orders.map((o) => [key(o), o]));
  const sessionByKey = new Map(sessions.map((s) => [key(s), s]));

  for (const o of orders) {
    out.push(...orderMoneyViolations(o.state));
    if (o.state.order_id !== o.id) out.push(`order ${o.id}: state.order_id ${o.state.order_id}`);
    if (!placed.has(key(o))) out.push(`order ${o.id}: no order.placed event (half-applied)`);
    if (o.state.internal?.source === 'payments') {
      const s = sessionByKey.get(`${o.accountId}\u0000${o.state.internal.sourceId}`);
      if (!s || s.state.status !== 'complete' || s.state.order_id !== o.id) out.push(`order ${o.id}: its session ${o.state.internal.sourceId} is not complete with this order (half-applied)`);
      if (!lookups.has(key(o))) out.push(`order ${o.id}: no lookup key (half-applied)`);
    }
    if ((o.state.status === 'AUTHORIZED' || o.state.status === 'PART_CAPTURED') && !timerIds.has(orderTimers.expire(o.id))) {
      out.push(`order ${o.id}: ${o.state.status} without its expiry timer`);
    }
    if (o.state.fraud_status === 'PENDING' && o.state.status !== 'CANCELLED' && !timerIds.has(orderTimers.fraudReview(o.id))) out.push(`order ${o.id}: fraud review PENDING without its timer`);
  }
  for (const s of sessions) {
    if (s.state.session_id !== s.id) out.push(`session ${s.id}: state.session_id ${s.state.session_id}`);
    if (s.state.status === 'complete' && s.state.order_id && !orderByKey.has(`${s.accountId}\u0000${s.state.order_id}`)) out.push(`session ${s.id}: complete but order ${s.state.order_id} missing (half-applied)`);
    if (s.state.status === 'incomplete' && !timerIds.has(sessionTimers.expire(s.id))) out.push(`session ${s.id}: incomplete without its expiry timer`);
  }
  for (const a of auths) {
    if (a.state.status === 'consumed' && a.state.order && !orderByKey.has(`${a.accountId}\u0000${a.state.order.order_id}`)) out.push(`authorization ${a.id}: consumed but order missing (half-applied)`);
    const session = sessionByKey.get(`${a.accountId}\u0000${a.state.session_id}`);
    if (!session) out.push(`authorization ${a.id}: session ${a.state.session_id} missing`);
    // A superseded token (the session was authorized again) keeps its status but loses its timer.
    const current = session?.state.authorization_token === a.id;
    if (a.state.status === 'valid' && current && !timerIds.has(authorizationTimers.expire(a.id))) out.push(`authorization ${a.id}: valid without its expiry timer`);
  }
  return out;
}
