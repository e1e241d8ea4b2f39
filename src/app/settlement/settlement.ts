/**
 * Provider-side settlement and disputes of captures (domain: src/domain/settlement). It reads the
 * Order Management order's captures and keeps its own aggregate and timers per capture, so Order
 * Management needs only one additive hook: `trackCaptures(uow, before, after)` in the unit of work
 * that created a capture (see order-change-hooks.ts). A capture the hook never saw (made before it
 * existed) is picked up on first use by the sandbox routes.
 *
 * Both outcomes reach the merchant as notifications POSTed through the outbox to the order's
 * `merchant_urls.notification`, in the shape Order Management uses for FRAUD_RISK_*:
 * `{order_id, event_type, event_id, timestamp, capture_id, amount}` with event_type
 * CAPTURE_SETTLED, CAPTURE_DISPUTED or CAPTURE_CHARGEBACK.
 */
import { KassaError, orThrow } from '../../domain/errors.js';
import { durations } from '../../domain/limits.js';
import type { Capture, OrderState } from '../../domain/order/order-state.js';
import {
  decideChargeback,
  decideDispute,
  decideSettle,
  openSettlement,
  settlementId,
  settlementType,
  type SettlementDecision,
  type SettlementState,
} from '../../domain/settlement/settlement.js';
import { ids } from '../ids.js';
import { orderType } from '../orders/place-order.js';
import { fillPlaceholders } from '../payments/create-order.js';
import { onOrderChanged } from '../orders/order-change-hooks.js';
import type { UnitOfWork } from '../unit-of-work.js';

export const settlementTimerKinds = { open: 'settlement.open', settle: 'settlement.settle', chargeback: 'settlement.chargeback' } as const;
export const settlementSettingsType = 'settlement_settings';
export const settlementSettingsId = 'settings';

export interface SettlementSettings {
  settlement_delay_days: number;
}

const dayMs = 24 * 3600_000;

export function settlementSettingsView(s: Partial<SettlementSettings> | undefined): SettlementSettings {
  return { settlement_delay_days: s?.settlement_delay_days ?? durations.settlementDelayMs / dayMs };
}

const timerId = (kind: keyof typeof settlementTimerKinds, orderId: string, captureId: string) => `settlement:${kind}:${orderId}:${captureId}`;

async function delayMs(uow: UnitOfWork): Promise<number> {
  return settlementSettingsView(await uow.load<SettlementSettings>(settlementSettingsType, settlementSettingsId)).settlement_delay_days * dayMs;
}

/**
 * The hook Order Management calls with every order change it writes (in the same unit of work):
 * each capture `after` has and `before` had not opens its settlement there and then, with the
 * account's delay, stamped at the capture time. Opening in the capture's own transaction costs one
 * read of the settings; it used to be a `settlement.open` timer due at once, which made every
 * capture a second command and a second commit (see docs/performance.md). That timer kind is
 * still handled, for timers a database written before the change may hold.
 */
export function trackCaptures(uow: UnitOfWork, before: OrderState | undefined, after: OrderState): Promise<void> | undefined {
  // Not async: most order changes add no capture, and then there is nothing for the hook runner to await.
  const known = new Set(before?.captures.map((c) => c.capture_id));
  const added = after.captures.filter((c) => !known.has(c.capture_id));
  return added.length === 0 ? undefined : openSettlements(uow, after, added);
}

async function openSettlements(uow: UnitOfWork, order: OrderState, captures: readonly Capture[]): Promise<void> {
  const delay = await delayMs(uow);
  for (const capture of captures) open(uow, order, capture.capture_id, delay);
}

function open(uow: UnitOfWork, order: OrderState, captureId: string, delay: number): SettlementState {
  const capture = order.captures.find((c) => c.capture_id === captureId)!;
  const capturedAtMs = Date.parse(capture.captured_at);
  const state = openSettlement({ orderId: order.order_id, captureId, amount: capture.captured_amount, currency: order.purchase_currency, capturedAtMs: Number.isNaN(capturedAtMs) ? uow.now : capturedAtMs, delayMs: delay });
  uow.put(settlementType, settlementId(order.order_id, captureId), state);
  uow.event(settlementType, settlementId(order.order_id, captureId), 'settlement.opened', { capture_id: captureId, amount: state.amount, settle_at: state.settle_at });
  uow.schedule({ id: timerId('settle', order.order_id, captureId), dueAt: state.internal.settleAtMs, kind: settlementTimerKinds.settle, aggregateType: settlementType, aggregateId: settlementId(order.order_id, captureId), payload: {} });
  return state;
}

/** The order (404 NO_SUCH_ORDER) and the capture's settlement (404 NO_SUCH_CAPTURE), opened on first use. */
export async function loadSettlement(uow: UnitOfWork, orderId: string, captureId: string): Promise<{ order: OrderState; settlement: SettlementState }> {
  const order = await uow.load<OrderState>(orderType, orderId);
  if (!order) throw new KassaError('NO_SUCH_ORDER', [`No order with id ${orderId}`]);
  if (!order.captures.some((c) => c.capture_id === captureId)) throw new KassaError('NO_SUCH_CAPTURE', [`No capture with id ${captureId}`]);
  const existing = await uow.load<SettlementState>(settlementType, settlementId(orderId, captureId));
  return { order, settlement: existing ?? open(uow, order, captureId, await delayMs(uow)) };
}

/** What GET shows without writing: the stored settlement, or the one the capture would open. */
export async function peekSettlement(uow: UnitOfWork, orderId: string, captureId: string): Promise<SettlementState> {
  const order = await uow.load<OrderState>(orderType, orderId);
  if (!order) throw new KassaError('NO_SUCH_ORDER', [`No order with id ${orderId}`]);
  const capture = order.captures.find((c) => c.capture_id === captureId);
  if (!capture) throw new KassaError('NO_SUCH_CAPTURE', [`No capture with id ${captureId}`]);
  const existing = await uow.load<SettlementState>(settlementType, settlementId(orderId, captureId));
  return existing ?? openSettlement({ orderId, captureId, amount: capture.captured_amount, currency: order.purchase_currency, capturedAtMs: Date.parse(capture.captured_at), delayMs: await delayMs(uow) });
}

function apply(uow: UnitOfWork, order: OrderState, decision: SettlementDecision): SettlementState {
  const s = decision.state;
  const id = settlementId(s.order_id, s.capture_id);
  uow.put(settlementType, id, s);
  uow.event(settlementType, id, decision.event.type, decision.event.data);
  const url = order.internal.merchant_urls?.notification;
  if (url) {
    const eventId = ids.event(uow.ctx.random);
    const body = JSON.stringify({ order_id: s.order_id, event_type: decision.notification, event_id: eventId, timestamp: new Date(uow.now).toISOString(), capture_id: s.capture_id, amount: s.amount });
    uow.enqueue({ kind: 'notification', eventId, eventType: decision.notification, url: fillPlaceholders(url, { orderId: s.order_id }), headers: {}, body, ref: s.order_id });
  }
  return s;
}

export async function settleNow(uow: UnitOfWork, orderId: string, captureId: string): Promise<SettlementState> {
  const { order, settlement } = await loadSettlement(uow, orderId, captureId);
  const state = apply(uow, order, orThrow(decideSettle(settlement, uow.now)));
  uow.cancelTimer(timerId('settle', orderId, captureId));
  return state;
}

/** Opens a dispute; `reviewDays` 0 approves the chargeback in the same command. */
export async function dispute(uow: UnitOfWork, orderId: string, captureId: string, reason: string, reviewDays: number): Promise<SettlementState> {
  const { order, settlement } = await loadSettlement(uow, orderId, captureId);
  const disputed = apply(uow, order, orThrow(decideDispute(settlement, uow.now, reason, reviewDays * dayMs)));
  uow.cancelTimer(timerId('settle', orderId, captureId));
  if (reviewDays === 0) return apply(uow, order, orThrow(decideChargeback(disputed, uow.now)));
  uow.schedule({ id: timerId('chargeback', orderId, captureId), dueAt: disputed.internal.chargebackAtMs!, kind: settlementTimerKinds.chargeback, aggregateType: settlementType, aggregateId: settlementId(orderId, captureId), payload: {} });
  return disputed;
}

/** Timer handlers: a late timer (already settled or disputed) is recorded and ignored. */
export async function onSettlementTimer(uow: UnitOfWork, kind: keyof typeof settlementTimerKinds, aggregateId: string): Promise<void> {
  const [orderId, captureId] = aggregateId.split('/') as [string, string];
  const order = await uow.load<OrderState>(orderType, orderId);
  const settlement = await uow.load<SettlementState>(settlementType, aggregateId);
  if (kind === 'open') {
    if (!settlement && order?.captures.some((c) => c.capture_id === captureId)) open(uow, order, captureId, await delayMs(uow));
    return;
  }
  if (!settlement || !order) return;
  const decision = kind === 'settle' ? decideSettle(settlement, uow.now) : decideChargeback(settlement, uow.now);
  if ('rejected' in decision) {
    uow.event(settlementType, aggregateId, `settlement.${kind}-timer-ignored`, { capture_id: captureId, status: settlement.status });
    return;
  }
  apply(uow, order, decision);
}

// Registered once per process when this module is first loaded (timers/handlers.ts imports it).
onOrderChanged(trackCaptures);
