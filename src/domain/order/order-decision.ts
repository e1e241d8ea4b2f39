/**
 * What an Order Management decide function returns: the order's next state, the events to append
 * to its log, and any merchant notification (fraud review outcome). Decide functions are pure:
 * time and ids come in through `OrderContext`; the application layer (src/app/orders/) persists
 * the decision, its timers and its outbox rows in one unit of work.
 */
import type { Rejection } from '../errors.js';
import { assertOrderInvariants } from './order-invariants.js';
import type { OrderState, OrderStatus } from './order-state.js';

export interface OrderContext {
  /** Account-clock time, ms since epoch. */
  now: number;
}

export interface OrderEventRecord {
  type: string;
  data: Record<string, unknown>;
}

export type FraudNotification = 'FRAUD_RISK_ACCEPTED' | 'FRAUD_RISK_REJECTED';

export interface OrderDecision {
  order: OrderState;
  events: OrderEventRecord[];
  notification?: FraudNotification;
  /** True when a late or duplicate signal (timer) was answered, recorded and ignored. */
  ignored?: boolean;
}

export type DecideResult = OrderDecision | Rejection;

/** Wraps a new state: asserts the invariants (a broken one is a bug) and returns the decision. */
export function decided(order: OrderState, events: OrderEventRecord[], extra: Partial<Omit<OrderDecision, 'order' | 'events'>> = {}): OrderDecision {
  assertOrderInvariants(order);
  return { order, events, ...extra };
}

/**
 * A copy deep enough to change amounts, captures and refunds without touching the input (which
 * may be a frozen, shared cached state). Orders are JSON documents: plain objects, arrays and
 * primitives, so a plain recursive copy does what a JSON round trip did, without building and
 * parsing a string of the whole order. The decisions on the hot path (capture, refund) copy only
 * the parts they change and share the rest with the input: a cached state's parts are frozen and
 * already normalised, so the commit stores and caches the new state without walking them again.
 */
export function cloneOrder(order: OrderState): OrderState {
  return copyJson(order);
}

function copyJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) copy[key] = copyJson(v);
  }
  return copy as T;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Human wording of a status for rejection messages. */
export function statusWords(status: OrderStatus): string {
  switch (status) {
    case 'CANCELLED':
      return 'Order is cancelled';
    case 'EXPIRED':
      return 'Order is expired';
    case 'CLOSED':
      return 'Order is closed';
    case 'CAPTURED':
      return 'Order is fully captured';
    case 'PART_CAPTURED':
      return 'Order is part captured';
    default:
      return 'Order is authorized';
  }
}
