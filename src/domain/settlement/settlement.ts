/**
 * Provider-side settlement of a capture: what happens to captured money after Order Management is
 * done with it. MultiSafepay's seed (001_*) has Klarna settle the funds after the customer is
 * invoiced (transaction status Completed); Cybersource's (003_*) has a capture end SETTLED, or in
 * a CHARGEBACK when the customer disputes it and Klarna approves the chargeback.
 *
 * One aggregate per capture. It settles on the account's clock a configurable number of days after
 * the capture (sandbox: also on request), and a sandbox helper opens a dispute that ends in a
 * chargeback (at once, or after a review period on the clock). Pure: time comes in as `now`.
 */
import { reject, type Rejection } from '../errors.js';
import { defineMachine, transitionsFor } from '../machine.js';

export type SettlementStatus = 'PENDING' | 'SETTLED' | 'DISPUTED' | 'CHARGEBACK';
export type SettlementEvent = 'settle' | 'dispute' | 'chargeback';

export const settlementMachine = defineMachine<SettlementStatus, SettlementEvent>({
  name: 'capture_settlement',
  initial: 'PENDING',
  states: ['PENDING', 'SETTLED', 'DISPUTED', 'CHARGEBACK'],
  finals: ['CHARGEBACK'],
  transitions: [
    { from: 'PENDING', event: 'settle', to: 'SETTLED', guard: 'settlement delay passed, or sandbox settle' },
    { from: 'PENDING', event: 'dispute', to: 'DISPUTED' },
    { from: 'SETTLED', event: 'dispute', to: 'DISPUTED' },
    { from: 'DISPUTED', event: 'chargeback', to: 'CHARGEBACK', guard: 'review period passed' },
  ],
});

export const settlementType = 'capture_settlement';

export interface SettlementState {
  order_id: string;
  capture_id: string;
  amount: number;
  currency: string;
  status: SettlementStatus;
  captured_at: string;
  settle_at: string;
  settled_at?: string;
  disputed_at?: string;
  dispute_reason?: string;
  chargeback_at?: string;
  internal: { settleAtMs: number; chargebackAtMs?: number };
}

export type SettlementNotification = 'CAPTURE_SETTLED' | 'CAPTURE_DISPUTED' | 'CAPTURE_CHARGEBACK';

export interface SettlementDecision {
  state: SettlementState;
  event: { type: string; data: Record<string, unknown> };
  notification: SettlementNotification;
}

export function settlementId(orderId: string, captureId: string): string {
  return `${orderId}/${captureId}`;
}

export function openSettlement(input: { orderId: string; captureId: string; amount: number; currency: string; capturedAtMs: number; delayMs: number }): SettlementState {
  const settleAtMs = input.capturedAtMs + input.delayMs;
  return {
    order_id: input.orderId,
    capture_id: input.captureId,
    amount: input.amount,
    currency: input.currency,
    status: 'PENDING',
    captured_at: new Date(input.capturedAtMs).toISOString(),
    settle_at: new Date(settleAtMs).toISOString(),
    internal: { settleAtMs },
  };
}

function allowed(state: SettlementState, event: SettlementEvent): Rejection | undefined {
  if (transitionsFor(settlementMachine, state.status, event).length > 0) return undefined;
  return reject('NOT_ALLOWED', `The capture's settlement is ${state.status}; ${event} is not possible`);
}

export function decideSettle(state: SettlementState, now: number): SettlementDecision | Rejection {
  const no = allowed(state, 'settle');
  if (no) return no;
  const next: SettlementState = { ...state, status: 'SETTLED', settled_at: new Date(now).toISOString(), settle_at: new Date(now).toISOString(), internal: { ...state.internal, settleAtMs: now } };
  return { state: next, event: { type: 'settlement.settled', data: { capture_id: state.capture_id, amount: state.amount } }, notification: 'CAPTURE_SETTLED' };
}

/** Opens a dispute; the chargeback follows at `now + reviewMs` (0: decided at once by the caller). */
export function decideDispute(state: SettlementState, now: number, reason: string, reviewMs: number): SettlementDecision | Rejection {
  const no = allowed(state, 'dispute');
  if (no) return no;
  const next: SettlementState = {
    ...state,
    status: 'DISPUTED',
    disputed_at: new Date(now).toISOString(),
    dispute_reason: reason,
    internal: { ...state.internal, chargebackAtMs: now + reviewMs },
  };
  return { state: next, event: { type: 'settlement.disputed', data: { capture_id: state.capture_id, reason, chargeback_at: new Date(now + reviewMs).toISOString() } }, notification: 'CAPTURE_DISPUTED' };
}

export function decideChargeback(state: SettlementState, now: number): SettlementDecision | Rejection {
  const no = allowed(state, 'chargeback');
  if (no) return no;
  const next: SettlementState = { ...state, status: 'CHARGEBACK', chargeback_at: new Date(now).toISOString() };
  return { state: next, event: { type: 'settlement.chargeback', data: { capture_id: state.capture_id, amount: state.amount } }, notification: 'CAPTURE_CHARGEBACK' };
}

export function settlementView(s: SettlementState): Record<string, unknown> {
  return {
    order_id: s.order_id,
    capture_id: s.capture_id,
    amount: s.amount,
    currency: s.currency,
    status: s.status,
    captured_at: s.captured_at,
    settle_at: s.settle_at,
    ...(s.settled_at ? { settled_at: s.settled_at } : {}),
    ...(s.disputed_at ? { disputed_at: s.disputed_at, dispute_reason: s.dispute_reason } : {}),
    ...(s.internal.chargebackAtMs !== undefined && s.status === 'DISPUTED' ? { chargeback_due_at: new Date(s.internal.chargebackAtMs).toISOString() } : {}),
    ...(s.chargeback_at ? { chargeback_at: s.chargeback_at } : {}),
  };
}
