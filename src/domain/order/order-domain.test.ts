/**
 * The order domain without HTTP: invariants are asserted (a broken one throws), decide functions
 * are pure and return rejections for rules a caller can break, the table is well formed, and a
 * seeded random walk of operations never breaks an invariant.
 */
import { describe, expect, it } from 'vitest';
import { isRejection } from '../errors.js';
import { InvariantViolation } from '../invariant.js';
import { durations, limits } from '../limits.js';
import { decideCancel, decideExpire, decideExtendAuthorization, decideFraudReview, decideReleaseRemaining, decideUpdateAuthorization } from './decide-authorization.js';
import { decideCapture } from './decide-capture.js';
import { decideRefund } from './decide-refund.js';
import { assertOrderInvariants } from './order-invariants.js';
import { isAuthorizationOpen, orderMachine } from './order-machine.js';
import type { DecideResult, OrderDecision } from './order-decision.js';
import { openOrder, type OrderState } from './order-state.js';

const t0 = Date.parse('2026-01-15T10:00:00.000Z');

function order(overrides: Partial<Parameters<typeof openOrder>[0]> = {}): OrderState {
  return openOrder({
    orderId: 'o-1',
    klarnaReference: 'REF1',
    now: t0,
    authorizationTtlMs: durations.orderAuthorizationTtlMs,
    purchase_country: 'SE',
    purchase_currency: 'SEK',
    locale: 'sv-SE',
    order_amount: 10000,
    order_tax_amount: 2000,
    order_lines: [{ name: 'Shoe', quantity: 1, unit_price: 10000, total_amount: 10000, tax_rate: 2500, total_tax_amount: 2000 }],
    initial_payment_method: { type: 'INVOICE', description: 'Pay later in 30 days' },
    fraud: { status: 'ACCEPTED' },
    source: 'payments',
    sourceId: 's-1',
    ...overrides,
  });
}

let seq = 0;
const ids = () => ({ captureId: `c-${++seq}`, klarnaReference: `K${seq}` });
const ok = (r: DecideResult): OrderDecision => {
  if (isRejection(r)) throw new Error(`unexpected rejection ${r.code}: ${r.messages.join()}`);
  return r;
};
const ctx = { now: t0 + 1000 };

describe('invariants', () => {
  it('accept a fresh order and throw InvariantViolation when amounts disagree', () => {
    const o = order();
    expect(() => assertOrderInvariants(o)).not.toThrow();
    const broken: [string, (x: OrderState) => void][] = [
      ['captured > authorized', (x) => ((x.captured_amount = 20000), x.captures.push({ capture_id: 'c', klarna_reference: 'k', captured_amount: 20000, captured_at: '', order_lines: [], refunded_amount: 0, shipping_info: [] }))],
      ['captured not the sum of captures', (x) => (x.captured_amount = 1)],
      ['refunded > captured', (x) => ((x.refunded_amount = 5), x.refunds.push({ refund_id: 'r', refunded_amount: 5, refunded_at: '', order_lines: [] }))],
      ['remaining wrong', (x) => (x.remaining_authorized_amount = 9999)],
      ['status disagrees with amounts', (x) => (x.status = 'CAPTURED')],
      ['fraud rejected but not cancelled', (x) => (x.fraud_status = 'REJECTED')],
    ];
    for (const [name, breakIt] of broken) {
      const copy = structuredClone(o);
      breakIt(copy);
      expect(() => assertOrderInvariants(copy), name).toThrow(InvariantViolation);
    }
  });
});

describe('decide functions', () => {
  it('never change their input', () => {
    const o = order();
    const snapshot = structuredClone(o);
    ok(decideCapture(o, { captured_amount: 4000 }, ids(), ctx));
    ok(decideCancel(o));
    ok(decideUpdateAuthorization(o, { order_amount: 9000 }, ctx));
    expect(o).toEqual(snapshot);
  });

  it('refuse a capture past the deadline even before the expiry timer fired', () => {
    const r = decideCapture(order(), { captured_amount: 1 }, ids(), { now: t0 + durations.orderAuthorizationTtlMs });
    expect(isRejection(r) && r.code).toBe('CAPTURE_NOT_ALLOWED');
  });

  it('cap captures and refunds per order (limits.ts)', () => {
    let o = order({ order_amount: limits.capturesPerOrderMax + 10, order_lines: [] });
    for (let i = 0; i < limits.capturesPerOrderMax; i++) o = ok(decideCapture(o, { captured_amount: 1 }, ids(), ctx)).order;
    const over = decideCapture(o, { captured_amount: 1 }, ids(), ctx);
    expect(isRejection(over) && over.messages[0]).toMatch(/at most 200 captures/);
    for (let i = 0; i < limits.refundsPerOrderMax; i++) o = ok(decideRefund(o, { refunded_amount: 1 }, `r-${i}`, ctx)).order;
    const overRefund = decideRefund(o, { refunded_amount: 1 }, 'r-x', ctx);
    expect(isRejection(overRefund) && overRefund.code).toBe('REFUND_NOT_ALLOWED');
  });

  it('decline a raise for a declined persona, and for an amount the payment method does not cover', () => {
    const denied = order({ subject: { email: 'customer+denied@email.se' } });
    const r1 = decideUpdateAuthorization(denied, { order_amount: 10001 }, ctx);
    expect(isRejection(r1) && [r1.code, r1.messages[0]]).toEqual(['NOT_ALLOWED', 'The increased order amount was declined (denied)']);
    // Lowering is not a new credit decision.
    ok(decideUpdateAuthorization(denied, { order_amount: 9000 }, ctx));
    const r2 = decideUpdateAuthorization(order(), { order_amount: 1_000_001 }, ctx);
    expect(isRejection(r2) && r2.code).toBe('NOT_ALLOWED');
    ok(decideUpdateAuthorization(order({ initial_payment_method: { type: 'FIXED_SUM_CREDIT', description: 'x' } }), { order_amount: 1_000_001 }, ctx));
  });

  it('refuse to extend US fixed-sum credit', () => {
    const r = decideExtendAuthorization(order({ purchase_country: 'US', initial_payment_method: { type: 'FIXED_SUM_CREDIT', description: 'x' } }), ctx);
    expect(isRejection(r) && r.code).toBe('NOT_ALLOWED');
  });

  it('record and ignore late or stale signals', () => {
    const o = order();
    const stale = decideExpire(o, { now: t0 + 1000 });
    expect(stale.ignored).toBe(true);
    expect(stale.order.status).toBe('AUTHORIZED');
    const cancelled = ok(decideCancel(o)).order;
    expect(decideExpire(cancelled, { now: t0 + durations.orderAuthorizationTtlMs }).ignored).toBe(true);
    const review = decideFraudReview(o, 'REJECTED');
    expect(review.ignored).toBe(true);
    expect(review.order.status).toBe('AUTHORIZED');
    expect(review.notification).toBeUndefined();
  });

  it('release on CAPTURED changes nothing but is allowed', () => {
    const captured = ok(decideCapture(order(), { captured_amount: 10000 }, ids(), ctx)).order;
    expect(ok(decideReleaseRemaining(captured)).order.status).toBe('CAPTURED');
  });
});

describe('the table', () => {
  it('reaches every state from the initial one, and guards choose between transitions of one event', () => {
    const seen = new Set([orderMachine.initial]);
    for (let changed = true; changed; ) {
      changed = false;
      for (const tr of orderMachine.transitions) if (seen.has(tr.from) && !seen.has(tr.to)) (seen.add(tr.to), (changed = true));
    }
    expect([...seen].sort()).toEqual([...orderMachine.states].sort());
    const groups = new Map<string, (string | undefined)[]>();
    for (const tr of orderMachine.transitions) groups.set(`${tr.from} ${tr.event}`, [...(groups.get(`${tr.from} ${tr.event}`) ?? []), tr.guard]);
    for (const [k, guards] of groups) {
      expect(new Set(guards).size, k).toBe(guards.length);
      if (guards.length > 1) expect(guards.includes(undefined), k).toBe(false);
    }
  });
});

describe('a seeded random walk', () => {
  it('keeps every invariant through random operations on 30 orders, and rejections change nothing', () => {
    let state = 42;
    const rand = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((state / 2 ** 31) * n);
    };
    let outcomes = 0;
    const statuses = new Set<string>();
    for (let k = 0; k < 30; k++) {
      let o = order({ orderId: `o-${k}`, order_amount: 1000 + rand(9000), order_lines: [] });
      let now = t0;
      for (let step = 0; step < 100; step++) {
        now += rand(4) * (k % 5 === 0 ? 5 : 1) * 24 * 3600_000;
        const c = { now };
        const amount = 1 + rand(4000);
        // Half of the captures and refunds take exactly what is left, so orders reach CAPTURED and CLOSED.
        const pick = (left: number) => (rand(2) === 0 && left > 0 ? left : amount);
        const before = structuredClone(o);
        const ops: (() => DecideResult)[] = [
          () => decideCapture(o, { captured_amount: pick(o.remaining_authorized_amount) }, ids(), c),
          () => decideCapture(o, { captured_amount: amount }, ids(), c),
          () => decideRefund(o, { refunded_amount: pick(o.captured_amount - o.refunded_amount) }, `r-${k}-${step}`, c),
          () => decideRefund(o, { refunded_amount: amount }, `r2-${k}-${step}`, c),
          () => (rand(5) === 0 ? decideCancel(o) : decideReleaseRemaining(o)),
          () => decideUpdateAuthorization(o, { order_amount: Math.max(1, o.captured_amount + amount - 2000) }, c),
          () => decideExtendAuthorization(o, c),
          () => decideReleaseRemaining(o),
          () => (now >= o.internal.expiresAtMs ? decideExpire(o, c) : decideExtendAuthorization(o, c)),
        ];
        // Every fifth order is never captured, so the clock gets to expire it.
        const choices = k % 5 === 0 ? ops.slice(5) : ops;
        const result = choices[rand(choices.length)]!();
        if (isRejection(result)) {
          expect(o).toEqual(before);
        } else {
          assertOrderInvariants(result.order);
          o = result.order;
          outcomes++;
          statuses.add(o.status);
        }
        expect(o.captured_amount).toBeLessThanOrEqual(o.order_amount);
        expect(o.refunded_amount).toBeLessThanOrEqual(o.captured_amount);
        expect(o.remaining_authorized_amount).toBe(isAuthorizationOpen(o.status) ? o.order_amount - o.captured_amount : 0);
      }
    }
    expect(outcomes).toBeGreaterThan(100);
    expect([...statuses].sort()).toEqual([...orderMachine.states].sort());
  });
});
