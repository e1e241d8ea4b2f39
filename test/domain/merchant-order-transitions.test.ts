/**
 * One test per transition of the merchant order machine, generated from its table: each
 * transition has a scenario that starts from an order in the `from` state (with its guard made
 * true) and runs the real decide function — a merchant command or a step outcome. Adding a
 * transition without a scenario fails the suite.
 */
import { describe, expect, it } from 'vitest';
import { isRejection } from '../../src/domain/errors.js';
import { decideCommand, type MerchantCommand } from '../../src/domain/merchant-order/decide-command.js';
import { decideOutcome, type ProviderOrderSnapshot, type StepOutcome } from '../../src/domain/merchant-order/decide-outcome.js';
import type { DecideContext, Decision } from '../../src/domain/merchant-order/merchant-order-core.js';
import { merchantOrderMachine, type MerchantOrderStatus } from '../../src/domain/merchant-order/merchant-order-machine.js';
import type { MerchantOrder, StepInput } from '../../src/domain/merchant-order/merchant-order-state.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const day = 24 * 3600_000;

function ctx(now = T0): DecideContext {
  let n = 0;
  return { now, newId: () => `id-${++n}`, settings: { recheck_interval_ms: 7200_000, capture_on_shipment: true, settlement_poll_interval_ms: day, payout_delay_ms: 0 } };
}

const line = { name: 'Racket', quantity: 1, unit_price: 10000, total_amount: 10000, tax_rate: 2500, total_tax_amount: 2000 };

function blank(): MerchantOrder {
  const iso = new Date(T0).toISOString();
  return {
    order_id: 'mo-1',
    status: 'checkout',
    created_at: iso,
    updated_at: iso,
    cart: { purchase_country: 'SE', purchase_currency: 'SEK', locale: 'sv-SE', order_amount: 10000, order_tax_amount: 2000, order_lines: [line] },
    connection_id: 'c-1',
    notification_token: 'tok',
    session: { session_id: 's-1', client_token: 'ct', payment_method_categories: [], expires_at_ms: T0 + 2 * day },
    klarna: {},
    shipped: false,
    shipping_info: [],
    captures: [],
    refunds: [],
    captured_amount: 0,
    refunded_amount: 0,
    steps: [],
    requests: [{ request_id: 'r-session', kind: 'session', status: 'INITIATED', status_history: [], created_at: iso, updated_at: iso, attempts: 1 }],
    client_keys: [],
  };
}

function withStep(o: MerchantOrder, input: StepInput, id = `step-${input.kind}`): MerchantOrder {
  o.steps.push({ id, input, due_at: T0, rev: 1, attempts: 0, unknown: false, request_id: `req-${id}` });
  return o;
}

const placedKlarna = {
  order_id: 'k-1',
  status: 'AUTHORIZED',
  fraud_status: 'ACCEPTED',
  order_amount: 10000,
  captured_amount: 0,
  refunded_amount: 0,
  remaining_authorized_amount: 10000,
  expires_at: new Date(T0 + 28 * day).toISOString(),
};

function capture(id: string, amount: number, settled = false) {
  return { capture_id: id, request_id: `req-${id}`, amount, status: 'SETTLED' as const, klarna_capture_id: `k-${id}`, settled, disputed: false, polls: 0 };
}

const pendingRefund = (o: MerchantOrder) => o.refunds.push({ refund_id: 'rf', request_id: 'req-rf', amount: 10000, status: 'PENDING', created_at: '' });
const someCaptured = (o: MerchantOrder) => ((o.captured_amount = 1000), o.captures.unshift(capture('c0', 1000)));
const captureOf = (o: MerchantOrder, amount: number) => ((o.steps[0]!.input as { capture: { amount: number } }).capture.amount = amount);

/** An order in `status`, consistent with it. */
function orderIn(status: MerchantOrderStatus, patch: (o: MerchantOrder) => unknown = () => undefined): MerchantOrder {
  const o = blank();
  o.status = status;
  const accepted = () => {
    o.klarna = { ...placedKlarna };
    o.accepted_at = new Date(T0).toISOString();
  };
  const captured = (amounts: number[]) => {
    accepted();
    o.captures = amounts.map((a, i) => capture(`c${i + 1}`, a));
    o.captured_amount = amounts.reduce((s, a) => s + a, 0);
  };
  const intent = { capture_id: 'cap-x', amount: 10000 };
  const pendingCapture = { capture_id: 'cap-x', request_id: 'req-step-capture', amount: 10000, status: 'PENDING' as const, settled: false, disputed: false, polls: 0 };
  switch (status) {
    case 'checkout_failed':
      delete o.session;
      break;
    case 'pre_check':
      o.authorization_token = 'auth-tok';
      withStep(o, { kind: 'place_order' });
      break;
    case 'checking':
      o.klarna = { ...placedKlarna, fraud_status: 'PENDING' };
      withStep(o, { kind: 'check_status', reason: 'recheck' });
      break;
    case 'ready_to_ship':
    case 'shipped':
    case 'capture_failed':
      accepted();
      o.shipped = status === 'shipped';
      break;
    case 'capturing':
      accepted();
      o.captures = [pendingCapture];
      withStep(o, { kind: 'capture', capture: intent, after_update: false });
      break;
    case 'updating':
      accepted();
      o.captures = [pendingCapture];
      withStep(o, { kind: 'update_authorization', capture: intent, order_amount: 10000 });
      break;
    case 'part_captured':
      captured([3000]);
      break;
    case 'releasing':
      captured([3000]);
      withStep(o, { kind: 'release' });
      break;
    case 'captured':
      captured([10000]);
      break;
    case 'settled':
    case 'completed':
      captured([10000]);
      o.captures[0]!.settled = true;
      o.settled_at = new Date(T0).toISOString();
      if (status === 'completed') o.funds_booked_at = o.settled_at;
      break;
    case 'cancelling':
      accepted();
      o.resume_status = 'ready_to_ship';
      withStep(o, { kind: 'cancel' });
      break;
    default:
      break;
  }
  patch(o);
  return o;
}

function command(o: MerchantOrder, c: MerchantCommand): Decision {
  const d = decideCommand(o, c, ctx());
  if (isRejection(d)) throw new Error(`rejected: ${d.code} ${d.messages.join('; ')}`);
  return d;
}

function outcome(o: MerchantOrder, kind: StepInput['kind'], out: StepOutcome): Decision {
  const step = o.steps.find((s) => s.input.kind === kind);
  if (!step) throw new Error(`no ${kind} step`);
  return decideOutcome(o, step.id, out, ctx());
}

const ok = (data: Record<string, unknown> = {}): StepOutcome => ({ kind: 'ok', http_status: 200, data });
const rejected = (error_code: string, read_back?: ProviderOrderSnapshot): StepOutcome => ({ kind: 'rejected', http_status: 403, error_code, ...(read_back ? { read_back } : {}) });
const snap = (p: Partial<ProviderOrderSnapshot> = {}): ProviderOrderSnapshot => ({ ...placedKlarna, captures: [], refunds: [], ...p });
const check = (o: MerchantOrder, order: Partial<ProviderOrderSnapshot>, reason: 'expiry' | 'manual' = 'expiry') => outcome(withStep(o, { kind: 'check_status', reason }), 'check_status', ok({ order: snap(order) }));
const twoLines = { type: 'update_cart' as const, order_amount: 20000, order_tax_amount: 4000, order_lines: [line, line] };

/** transition key -> the decision that should take it */
const scenarios: Record<string, () => Decision> = {
  'checkout|session_created|': () => outcome(withStep(orderIn('checkout', (o) => delete o.session), { kind: 'create_session' }), 'create_session', ok({ session_id: 's', client_token: 'c', payment_method_categories: [] })),
  'checkout|session_failed|': () => outcome(withStep(orderIn('checkout', (o) => delete o.session), { kind: 'create_session' }), 'create_session', rejected('BAD_VALUE')),
  'checkout_failed|retry_checkout|': () => command(orderIn('checkout_failed'), { type: 'retry_checkout' }),
  'checkout|authorize|session_open': () => command(orderIn('checkout'), { type: 'authorize', authorization_token: 't' }),
  'checkout|abandon|': () => outcome(withStep(orderIn('checkout'), { kind: 'check_status', reason: 'session' }), 'check_status', ok({ session_status: 'gone' })),
  'checkout|cancel|': () => command(orderIn('checkout'), { type: 'cancel' }),
  'checkout_failed|cancel|': () => command(orderIn('checkout_failed'), { type: 'cancel' }),
  'pre_check|placed|': () => outcome(orderIn('pre_check'), 'place_order', ok({ order_id: 'k-1', fraud_status: 'ACCEPTED' })),
  'pre_check|authorization_failed|': () => outcome(orderIn('pre_check'), 'place_order', { kind: 'rejected', http_status: 404, error_code: 'NOT_FOUND' }),
  'pre_check|authorization_rejected|': () => outcome(orderIn('pre_check'), 'place_order', rejected('REJECTED')),
  'checking|status_pending|': () => outcome(orderIn('checking'), 'check_status', ok({ order: snap({ fraud_status: 'PENDING' }) })),
  'checking|status_accepted|': () => outcome(orderIn('checking'), 'check_status', ok({ order: snap() })),
  'checking|status_denied|': () => outcome(orderIn('checking'), 'check_status', ok({ order: snap({ fraud_status: 'REJECTED', status: 'CANCELLED' }) })),
  'checking|cancel|': () => command(orderIn('checking'), { type: 'cancel' }),
  'checking|order_cancelled|': () => outcome(orderIn('checking'), 'check_status', ok({ order: snap({ status: 'CANCELLED' }) })),
  'checking|order_expired|': () => outcome(orderIn('checking'), 'check_status', ok({ order: snap({ status: 'EXPIRED', fraud_status: 'PENDING' }) })),
  'ready_to_ship|ship|capture_on_shipment': () => command(orderIn('ready_to_ship'), { type: 'ship', shipping_info: [{ shipping_company: 'DHL' }] }),
  'ready_to_ship|ship|without_capture': () => command(orderIn('ready_to_ship'), { type: 'ship', shipping_info: [{ shipping_company: 'DHL' }], capture: false }),
  'ready_to_ship|capture|': () => command(orderIn('ready_to_ship'), { type: 'capture', captured_amount: 4000 }),
  'ready_to_ship|update_cart|': () => command(orderIn('ready_to_ship'), twoLines),
  'ready_to_ship|extend|': () => command(orderIn('ready_to_ship'), { type: 'extend' }),
  'ready_to_ship|cancel|': () => command(orderIn('ready_to_ship'), { type: 'cancel' }),
  'ready_to_ship|order_cancelled|': () => check(orderIn('ready_to_ship'), { status: 'CANCELLED' }),
  'ready_to_ship|order_expired|': () => check(orderIn('ready_to_ship'), { status: 'EXPIRED' }),
  'shipped|capture|': () => command(orderIn('shipped'), { type: 'capture', captured_amount: 10000 }),
  'shipped|update_cart|': () => command(orderIn('shipped'), twoLines),
  'shipped|extend|': () => command(orderIn('shipped'), { type: 'extend' }),
  'shipped|cancel|': () => command(orderIn('shipped'), { type: 'cancel' }),
  'shipped|order_cancelled|': () => check(orderIn('shipped'), { status: 'CANCELLED' }, 'manual'),
  'shipped|order_expired|': () => check(orderIn('shipped'), { status: 'EXPIRED' }),
  'capturing|captured|amount_remaining': () => outcome(orderIn('capturing', (o) => ((o.captures[0]!.amount = 4000), captureOf(o, 4000))), 'capture', ok({ capture_id: 'kc' })),
  'capturing|captured|fully_captured': () => outcome(orderIn('capturing'), 'capture', ok({ capture_id: 'kc' })),
  'capturing|capture_refused|reservation_too_small': () => outcome(orderIn('capturing', (o) => ((o.cart.order_amount = 12000), captureOf(o, 12000))), 'capture', rejected('CAPTURE_NOT_ALLOWED', snap())),
  'capturing|capture_refused|nothing_captured': () => outcome(orderIn('capturing'), 'capture', rejected('CAPTURE_NOT_ALLOWED', snap())),
  'capturing|capture_refused|some_captured': () => outcome(orderIn('capturing', someCaptured), 'capture', rejected('CAPTURE_NOT_ALLOWED', snap())),
  'capturing|order_cancelled|': () => outcome(orderIn('capturing'), 'capture', rejected('CAPTURE_NOT_ALLOWED', snap({ status: 'CANCELLED' }))),
  'capturing|order_expired|nothing_captured': () => outcome(orderIn('capturing'), 'capture', rejected('CAPTURE_NOT_ALLOWED', snap({ status: 'EXPIRED' }))),
  'capturing|order_expired|some_captured': () => outcome(orderIn('capturing', someCaptured), 'capture', rejected('CAPTURE_NOT_ALLOWED', snap({ status: 'EXPIRED' }))),
  'updating|reservation_updated|': () => outcome(orderIn('updating'), 'update_authorization', ok()),
  'updating|update_refused|nothing_captured': () => outcome(orderIn('updating'), 'update_authorization', rejected('NOT_ALLOWED', snap())),
  'updating|update_refused|some_captured': () => outcome(orderIn('updating', someCaptured), 'update_authorization', rejected('NOT_ALLOWED', snap())),
  'updating|order_cancelled|': () => check(orderIn('updating'), { status: 'CANCELLED' }),
  'updating|order_expired|nothing_captured': () => check(orderIn('updating'), { status: 'EXPIRED' }),
  'updating|order_expired|some_captured': () => check(orderIn('updating', someCaptured), { status: 'EXPIRED' }),
  'capture_failed|capture|': () => command(orderIn('capture_failed'), { type: 'capture', captured_amount: 10000 }),
  'capture_failed|ship|': () => command(orderIn('capture_failed'), { type: 'ship', shipping_info: [] }),
  'capture_failed|update_cart|': () => command(orderIn('capture_failed'), twoLines),
  'capture_failed|extend|': () => command(orderIn('capture_failed'), { type: 'extend' }),
  'capture_failed|cancel|': () => command(orderIn('capture_failed'), { type: 'cancel' }),
  'capture_failed|order_cancelled|': () => check(orderIn('capture_failed'), { status: 'CANCELLED' }, 'manual'),
  'capture_failed|order_expired|': () => check(orderIn('capture_failed'), { status: 'EXPIRED' }),
  'part_captured|ship|': () => command(orderIn('part_captured'), { type: 'ship', shipping_info: [] }),
  'part_captured|capture|': () => command(orderIn('part_captured'), { type: 'capture', captured_amount: 1000 }),
  'part_captured|update_cart|': () => command(orderIn('part_captured'), twoLines),
  'part_captured|extend|': () => command(orderIn('part_captured'), { type: 'extend' }),
  'part_captured|refund|': () => command(orderIn('part_captured'), { type: 'refund', refunded_amount: 1000 }),
  'part_captured|close|': () => command(orderIn('part_captured'), { type: 'close' }),
  'part_captured|order_expired|': () => check(orderIn('part_captured'), { status: 'EXPIRED' }),
  'releasing|released|': () => outcome(orderIn('releasing'), 'release', ok()),
  'releasing|release_failed|': () => outcome(orderIn('releasing'), 'release', rejected('NOT_ALLOWED')),
  'captured|refund|': () => command(orderIn('captured'), { type: 'refund', refunded_amount: 1000 }),
  'captured|capture_settled|all_settled': () => outcome(withStep(orderIn('captured'), { kind: 'capture_status', capture_id: 'c1', reason: 'poll' }), 'capture_status', ok({ settlement: 'SETTLED' })),
  'captured|refunded_in_full|': () => outcome(withStep(orderIn('captured', pendingRefund), { kind: 'refund', refund_id: 'rf', amount: 10000 }), 'refund', ok({ refund_id: 'krf' })),
  'settled|refund|': () => command(orderIn('settled'), { type: 'refund', refunded_amount: 1000 }),
  'settled|funds_booked|': () => outcome(withStep(orderIn('settled'), { kind: 'book_funds' }), 'book_funds', ok()),
  'settled|refunded_in_full|': () => outcome(withStep(orderIn('settled', pendingRefund), { kind: 'refund', refund_id: 'rf', amount: 10000 }), 'refund', ok({ refund_id: 'krf' })),
  'completed|refund|': () => command(orderIn('completed'), { type: 'refund', refunded_amount: 1000 }),
  'completed|refunded_in_full|': () => outcome(withStep(orderIn('completed', pendingRefund), { kind: 'refund', refund_id: 'rf', amount: 10000 }), 'refund', ok({ refund_id: 'krf' })),
  'cancelling|reversed|': () => outcome(orderIn('cancelling'), 'cancel', ok()),
  'cancelling|order_cancelled|': () => check(orderIn('cancelling'), { status: 'CANCELLED' }, 'manual'),
  'cancelling|reversal_failed|resume_checking': () => outcome(orderIn('cancelling', (o) => (o.resume_status = 'checking')), 'cancel', rejected('CANCEL_NOT_ALLOWED', snap())),
  'cancelling|reversal_failed|resume_ready_to_ship': () => outcome(orderIn('cancelling'), 'cancel', rejected('CANCEL_NOT_ALLOWED', snap())),
  'cancelling|reversal_failed|resume_shipped': () => outcome(orderIn('cancelling', (o) => (o.resume_status = 'shipped')), 'cancel', rejected('CANCEL_NOT_ALLOWED', snap())),
  'cancelling|reversal_failed|resume_capture_failed': () => outcome(orderIn('cancelling', (o) => (o.resume_status = 'capture_failed')), 'cancel', rejected('CANCEL_NOT_ALLOWED', snap())),
};

describe('merchant order machine: one scenario per transition, through the decide functions', () => {
  for (const t of merchantOrderMachine.transitions) {
    const key = `${t.from}|${t.event}|${t.guard ?? ''}`;
    it(`${t.from} --${t.event}${t.guard ? ` [${t.guard}]` : ''}--> ${t.to}`, () => {
      const scenario = scenarios[key];
      expect(scenario, `no scenario for ${key}`).toBeDefined();
      const decision = scenario!();
      const moved = decision.events.find((e) => e.type === `merchant_order.${t.event}`);
      expect(moved, `event merchant_order.${t.event} in ${decision.events.map((e) => e.type).join(', ')}`).toBeDefined();
      expect(moved!.data).toMatchObject({ from: t.from, state: t.to, ...(t.guard ? { guard: t.guard } : {}) });
    });
  }

  it('has no scenario for a transition that is not in the table', () => {
    const keys = new Set(merchantOrderMachine.transitions.map((t) => `${t.from}|${t.event}|${t.guard ?? ''}`));
    expect(Object.keys(scenarios).filter((k) => !keys.has(k))).toEqual([]);
  });
});

describe('merchant order rules', () => {
  it('an unknown outcome keeps the step, marks it to read back, and backs off on the clock', () => {
    const d = outcome(orderIn('capturing'), 'capture', { kind: 'unknown', reason: 'timed out' });
    expect(d.order.status).toBe('capturing');
    expect(d.order.steps[0]).toMatchObject({ unknown: true, attempts: 1, rev: 2, due_at: T0 + 30_000 });
  });

  it('refuses commands while a step is running (busy, 409), in final states, and cancel after a capture (403)', () => {
    const busy = decideCommand(orderIn('capturing'), { type: 'cancel' }, ctx());
    expect(isRejection(busy) && busy.code).toBe('MERCHANT_ORDER_BUSY');
    const final = decideCommand(orderIn('cancelled'), { type: 'refund', refunded_amount: 1 }, ctx());
    expect(isRejection(final) && final.code).toBe('REFUND_NOT_ALLOWED');
    const partly = decideCommand(orderIn('part_captured'), { type: 'cancel' }, ctx());
    expect(isRejection(partly) && partly.code).toBe('CANCEL_NOT_ALLOWED');
    const notYet = decideCommand(orderIn('checking'), { type: 'ship', shipping_info: [] }, ctx());
    expect(isRejection(notYet) && notYet.code).toBe('NOT_ALLOWED');
  });

  it('a notification in a final state is recorded and changes nothing else', () => {
    const d = command(orderIn('cancelled'), { type: 'notification', event_type: 'FRAUD_RISK_ACCEPTED', klarna_order_id: 'k-1' });
    expect(d.order.status).toBe('cancelled');
    expect(d.order.steps).toEqual([]);
    expect(d.events.map((e) => e.type)).toEqual(['merchant_order.notification_ignored']);
  });

  it('a merchant key already applied makes the command a no-op', () => {
    const first = decideCommand(orderIn('ready_to_ship'), { type: 'capture', captured_amount: 1000 }, ctx(), 'key-1') as Decision;
    const again = decideCommand(first.order, { type: 'capture', captured_amount: 1000 }, ctx(), 'key-1') as Decision;
    expect(again.order).toBe(first.order);
    expect(again.events).toEqual([]);
  });

  it('entering a final state drops every pending step and fails what was pending', () => {
    const o = orderIn('ready_to_ship');
    const d = check(withStep(o, { kind: 'capture_status', capture_id: 'x', reason: 'poll' }), { status: 'CANCELLED' });
    expect(d.order.status).toBe('cancelled');
    expect(d.order.steps).toEqual([]);
  });

  it("a check whose answer was PENDING keeps it when the order ends; a request still waiting on a step ends FAILED", () => {
    const o = orderIn('checking');
    const iso = new Date(T0).toISOString();
    o.requests.push({ request_id: 'answered', kind: 'check_status', status: 'PENDING', status_history: [], created_at: iso, updated_at: iso, attempts: 1 });
    withStep(o, { kind: 'extend' }, 'waiting');
    o.requests.push({ request_id: 'req-waiting', kind: 'extend_authorization', status: 'PENDING', status_history: [], created_at: iso, updated_at: iso, attempts: 0 });
    const d = outcome(o, 'check_status', ok({ order: snap({ status: 'CANCELLED' }) }));
    expect(d.order.status).toBe('cancelled');
    expect(d.order.requests.find((r) => r.request_id === 'answered')!.status).toBe('PENDING');
    expect(d.order.requests.find((r) => r.request_id === 'req-waiting')).toMatchObject({ status: 'FAILED', error_code: 'WORKFLOW_ENDED' });
  });

  it('keeps the request log within its limit: the oldest answered check makes room; a log full of operations refuses more', () => {
    const iso = new Date(T0).toISOString();
    const o = orderIn('ready_to_ship');
    o.requests = Array.from({ length: 1000 }, (_, i) => ({ request_id: `chk-${i}`, kind: 'check_status' as const, status: 'AUTHORIZED' as const, status_history: [], created_at: iso, updated_at: iso, attempts: 1 }));
    const d = command(o, { type: 'check' });
    expect(d.order.requests).toHaveLength(1000);
    expect(d.order.requests[0]!.request_id).toBe('chk-1');
    const full = orderIn('ready_to_ship');
    full.requests = Array.from({ length: 1000 }, (_, i) => ({ request_id: `cap-${i}`, kind: 'capture' as const, status: 'FAILED' as const, status_history: [], created_at: iso, updated_at: iso, attempts: 1 }));
    const refused = decideCommand(full, { type: 'capture', captured_amount: 100 }, ctx());
    expect(isRejection(refused) && refused.code).toBe('NOT_ALLOWED');
  });
});
