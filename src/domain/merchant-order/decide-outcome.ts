/**
 * What an outbound step's outcome does to the merchant order, decided purely. The application
 * ran the call (outside any transaction) and hands over one of three outcomes:
 * - ok: the provider did it (or a read-back shows it was already done);
 * - rejected: a definitive 4xx (with a read-back of the order where the step needs one to choose);
 * - unknown: a timeout, a network error, a 5xx, a 409 "in flight": nothing is assumed; the step is
 *   kept, marked to read back before it calls again, and retried on the account clock with
 *   back-off, up to limits.merchantStepAttemptsMax attempts.
 * Each outcome also settles the step's request-log entry with Cybersource's status (seed 003).
 */
import { durations, limits } from '../limits.js';
import { Draft, unknownRetryDelayMs, type DecideContext, type Decision } from './merchant-order-core.js';
import type { MerchantOrderGuard } from './merchant-order-machine.js';
import type { Json } from '../order/order-state.js';
import type { MerchantOrder, RequestStatus, Step } from './merchant-order-state.js';
import { multiSafepayRefundStatus } from './status-views.js';

/** The fields of a provider (Order Management) order the workflow reads back. */
export interface ProviderOrderSnapshot {
  order_id: string;
  status: string;
  fraud_status: string;
  order_amount: number;
  captured_amount: number;
  refunded_amount: number;
  remaining_authorized_amount: number;
  expires_at?: string;
  captures: { capture_id: string; reference?: string; captured_amount: number }[];
  refunds: { refund_id: string; reference?: string; refunded_amount: number }[];
}

export interface OkData {
  session_id?: string;
  client_token?: string;
  payment_method_categories?: Json[];
  order_id?: string;
  fraud_status?: string;
  order?: ProviderOrderSnapshot;
  /** Session read: still open, completed, or gone (404/expired). */
  session_status?: 'incomplete' | 'complete' | 'gone';
  session_expires_at_ms?: number;
  capture_id?: string;
  refund_id?: string;
  /** The provider's settlement status of a capture, when it exposes one. */
  settlement?: 'PENDING' | 'SETTLED' | 'DISPUTED' | 'CHARGEBACK';
  /** The step was found done by a read-back rather than by calling again. */
  resolved_by_read_back?: boolean;
}

export type StepOutcome =
  | { kind: 'ok'; http_status?: number; correlation_id?: string; data: OkData }
  | { kind: 'rejected'; http_status?: number; error_code?: string; error_messages?: string[]; correlation_id?: string; read_back?: ProviderOrderSnapshot }
  | { kind: 'unknown'; reason: string; http_status?: number; correlation_id?: string };

type Ok = Extract<StepOutcome, { kind: 'ok' }>;
type Rejected = Extract<StepOutcome, { kind: 'rejected' }>;

export function decideOutcome(order: MerchantOrder, stepId: string, outcome: StepOutcome, ctx: DecideContext): Decision {
  const d = new Draft(order, ctx);
  const step = d.step(stepId);
  if (!step) return { order, events: [] };
  const now = ctx.now;

  if (outcome.kind === 'unknown') {
    step.attempts += 1;
    if (step.attempts < limits.merchantStepAttemptsMax) {
      step.unknown = true;
      d.reschedule(step, now + unknownRetryDelayMs(step.attempts));
      const r = d.ensureRequest(step);
      if (r) d.setRequest(r.request_id, 'PENDING', { attempts: step.attempts, http_status: outcome.http_status, error_code: 'OUTCOME_UNKNOWN', error_messages: [outcome.reason], klarna_correlation_id: outcome.correlation_id });
      d.note('step_outcome_unknown', { step: step.input.kind, request_id: step.request_id, attempts: step.attempts, retry_at: new Date(step.due_at).toISOString() });
      return d.done();
    }
    // Gave up: a definitive failure from here on.
    outcome = { kind: 'rejected', http_status: outcome.http_status, error_code: 'PROVIDER_UNREACHABLE', error_messages: [`No definitive answer after ${step.attempts} attempts: ${outcome.reason}`] };
  } else {
    step.attempts += 1;
  }

  d.removeStep(step.id);
  d.ensureRequest(step);
  const details = outcome.kind === 'ok'
    ? { attempts: step.attempts, http_status: outcome.http_status, klarna_correlation_id: outcome.correlation_id }
    : { attempts: step.attempts, http_status: outcome.http_status, error_code: outcome.error_code ?? 'REJECTED', error_messages: outcome.error_messages ?? [], klarna_correlation_id: outcome.correlation_id };
  const settleRequest = (status: RequestStatus) => d.setRequest(step.request_id, status, details);

  if (outcome.kind === 'ok' && outcome.data.order) mirror(d, outcome.data.order);
  if (outcome.kind === 'rejected' && outcome.read_back) mirror(d, outcome.read_back);

  switch (step.input.kind) {
    case 'create_session':
      if (outcome.kind === 'ok') {
        const data = outcome.data;
        d.order.session = {
          session_id: data.session_id!,
          client_token: data.client_token!,
          payment_method_categories: data.payment_method_categories ?? [],
          expires_at_ms: data.session_expires_at_ms ?? now + durations.sessionTtlMs,
        };
        settleRequest('INITIATED');
        if (!d.final) {
          d.move('session_created', undefined, { session_id: data.session_id });
          d.addStep({ kind: 'check_status', reason: 'session' }, d.order.session.expires_at_ms + durations.merchantCheckAfterDeadlineMs);
        }
      } else {
        settleRequest('FAILED');
        if (d.order.status === 'checkout') d.move('session_failed', undefined, { error_code: outcome.error_code });
      }
      break;

    case 'place_order':
      delete d.order.authorization_token;
      if (outcome.kind === 'ok') {
        d.order.klarna.order_id = outcome.data.order_id!;
        d.order.klarna.fraud_status = outcome.data.fraud_status;
        settleRequest('AUTHORIZED');
        d.move('placed', undefined, { klarna_order_id: outcome.data.order_id, fraud_status: outcome.data.fraud_status });
        // Spryker: after the pre-check, check the order status.
        d.addStep({ kind: 'check_status', reason: 'pre_check' }, now);
      } else {
        settleRequest('FAILED');
        if (outcome.error_code === 'REJECTED') d.move('authorization_rejected', undefined, { error_code: outcome.error_code });
        else {
          d.move('authorization_failed', undefined, { error_code: outcome.error_code });
          if (d.order.session) d.addStep({ kind: 'check_status', reason: 'session' }, Math.max(now, d.order.session.expires_at_ms + durations.merchantCheckAfterDeadlineMs));
        }
      }
      break;

    case 'check_status':
      checkOutcome(d, step, outcome, settleRequest);
      break;

    case 'cancel':
      if (outcome.kind === 'ok' || outcome.read_back?.status === 'CANCELLED') {
        settleRequest('AUTH_REVERSED');
        if (d.order.status === 'cancelling') d.move('reversed');
      } else {
        settleRequest('FAILED');
        if (d.order.status === 'cancelling') {
          const resume = d.order.resume_status ?? 'ready_to_ship';
          delete d.order.resume_status;
          d.move('reversal_failed', `resume_${resume}` as MerchantOrderGuard, { error_code: outcome.error_code });
        }
      }
      break;

    case 'capture':
      captureOutcome(d, step, outcome, settleRequest);
      break;

    case 'update_authorization': {
      const input = step.input;
      const capture = d.order.captures.find((c) => c.capture_id === input.capture.capture_id);
      if (outcome.kind === 'ok') {
        settleRequest('AUTHORIZED');
        d.order.klarna.order_amount = input.order_amount;
        d.move('reservation_updated', undefined, { order_amount: input.order_amount });
        const retry = d.addStep({ kind: 'capture', capture: input.capture, after_update: true }, now, { eager: true });
        if (capture) capture.request_id = retry.request_id;
      } else {
        settleRequest('FAILED');
        if (capture) capture.status = 'FAILED';
        if (d.order.status === 'updating') d.move('update_refused', capturedGuard(d.order), { error_code: outcome.error_code });
      }
      break;
    }

    case 'refund': {
      const input = step.input;
      const refund = d.order.refunds.find((r) => r.refund_id === input.refund_id);
      if (outcome.kind === 'ok') {
        settleRequest('REFUNDED');
        if (refund && refund.status === 'PENDING') {
          refund.status = 'REFUNDED';
          if (outcome.data.refund_id) refund.klarna_refund_id = outcome.data.refund_id;
          d.order.refunded_amount += refund.amount;
          d.note('refund_succeeded', { refund_id: refund.refund_id, refunded_amount: refund.amount, refund_status: multiSafepayRefundStatus(refund) });
        }
      } else {
        settleRequest('FAILED');
        if (refund && refund.status === 'PENDING') refund.status = 'FAILED';
        d.note('refund_failed', { refund_id: input.refund_id, error_code: outcome.error_code, ...(refund ? { refund_status: multiSafepayRefundStatus(refund) } : {}) });
      }
      break;
    }

    case 'extend':
      settleRequest(outcome.kind === 'ok' ? 'AUTHORIZED' : 'FAILED');
      d.note(outcome.kind === 'ok' ? 'authorization_extended' : 'extension_failed', { expires_at: d.order.klarna.expires_at });
      break;

    case 'shipping_info':
      settleRequest(outcome.kind === 'ok' ? 'COMPLETED' : 'FAILED');
      break;

    case 'release':
      if (outcome.kind === 'ok') {
        settleRequest('AUTH_REVERSED');
        if (d.order.status === 'releasing') d.move('released');
      } else {
        settleRequest('FAILED');
        if (d.order.status === 'releasing') d.move('release_failed', undefined, { error_code: outcome.error_code });
      }
      break;

    case 'capture_status':
      captureStatusOutcome(d, step, outcome, settleRequest);
      break;

    case 'refund_status':
      settleRequest(outcome.kind === 'ok' ? 'REFUNDED' : 'FAILED');
      break;

    case 'book_funds':
      if (d.order.status === 'settled') {
        d.order.funds_booked_at = d.iso;
        d.move('funds_booked');
      }
      break;
  }
  d.settle();
  return d.done();
}

function mirror(d: Draft, snap: ProviderOrderSnapshot): void {
  const k = d.order.klarna;
  k.order_id ??= snap.order_id;
  k.status = snap.status;
  k.fraud_status = snap.fraud_status;
  k.order_amount = snap.order_amount;
  k.captured_amount = snap.captured_amount;
  k.refunded_amount = snap.refunded_amount;
  k.remaining_authorized_amount = snap.remaining_authorized_amount;
  if (snap.expires_at) k.expires_at = snap.expires_at;
}

function capturedGuard(order: MerchantOrder): MerchantOrderGuard {
  return order.captured_amount > 0 ? 'some_captured' : 'nothing_captured';
}

/**
 * Provider says the order is over (cancelled or expired): follow it, where the table allows. An
 * order with captures does not show EXPIRED when its authorization lapses: it shows CAPTURED with
 * nothing left to capture once `expires_at` has passed (the rest was released).
 */
function followProvider(d: Draft, snap: ProviderOrderSnapshot): boolean {
  const s = d.order.status;
  if (snap.status === 'CANCELLED' && ['checking', 'ready_to_ship', 'shipped', 'capturing', 'updating', 'capture_failed', 'cancelling'].includes(s)) {
    d.move('order_cancelled');
    return true;
  }
  const lapsed = snap.status === 'CAPTURED' && snap.remaining_authorized_amount === 0 && snap.expires_at !== undefined && d.ctx.now >= Date.parse(snap.expires_at);
  if (snap.status === 'EXPIRED' || (lapsed && d.order.captured_amount > 0)) {
    if (s === 'capturing' || s === 'updating') {
      d.move('order_expired', capturedGuard(d.order));
      return true;
    }
    if (['checking', 'ready_to_ship', 'shipped', 'capture_failed', 'part_captured'].includes(s)) {
      d.move('order_expired');
      return true;
    }
  }
  return false;
}

function checkOutcome(d: Draft, step: Step, outcome: Ok | Rejected, settleRequest: (s: RequestStatus) => void): void {
  const o = d.order;
  const now = d.ctx.now;
  const reason = step.input.kind === 'check_status' ? step.input.reason : 'manual';
  const continueRechecking = () => {
    if (o.status === 'checking' && !o.steps.some((s) => s.input.kind === 'check_status' && s.input.reason === 'recheck')) {
      d.addStep({ kind: 'check_status', reason: 'recheck' }, now + d.ctx.settings.recheck_interval_ms);
    }
  };
  if (outcome.kind === 'rejected') {
    settleRequest('FAILED');
    if (!d.final) continueRechecking();
    return;
  }
  const data = outcome.data;

  // Before an order exists: the session is what can be checked (Cybersource: session INITIATED
  // -> check status until COMPLETED, or ABANDONED).
  if (!data.order) {
    const open = data.session_status === 'incomplete' && now < (data.session_expires_at_ms ?? o.session?.expires_at_ms ?? 0);
    if (data.session_status === 'complete') settleRequest('AUTHORIZED');
    else if (open) settleRequest('PENDING');
    else settleRequest('ABANDONED');
    if (o.status === 'checkout' && !open && data.session_status !== 'complete') d.move('abandon', undefined, { session_status: data.session_status });
    else if (o.status === 'checkout' && open && reason === 'session' && o.session) d.addStep({ kind: 'check_status', reason: 'session' }, o.session.expires_at_ms + durations.merchantCheckAfterDeadlineMs);
    return;
  }

  const snap = data.order;
  // Read back past the expiry: what the provider says now is the answer about this expiry.
  if (snap.expires_at && now >= Date.parse(snap.expires_at) + durations.merchantCheckAfterDeadlineMs) o.expiry_checked = snap.expires_at;
  const denied = snap.fraud_status === 'REJECTED' || snap.fraud_status === 'STOPPED';
  const over = snap.status === 'CANCELLED' || snap.status === 'EXPIRED';
  settleRequest(denied || over ? 'FAILED' : snap.fraud_status === 'PENDING' ? 'PENDING' : 'AUTHORIZED');
  if (d.final) return;

  if (o.status === 'checking') {
    if (denied) {
      // Spryker: "In case the status is denied the order is canceled."
      o.resume_status = 'checking';
      d.move('status_denied', undefined, { fraud_status: snap.fraud_status });
      dropChecks(d, ['recheck', 'pre_check', 'notification']);
      d.addStep({ kind: 'cancel' }, now, { eager: true });
      return;
    }
    if (followProvider(d, snap)) return;
    if (snap.fraud_status === 'PENDING') {
      if (o.steps.some((s) => s.input.kind === 'check_status' && s.input.reason === 'recheck')) return;
      d.move('status_pending', undefined, { next_check_at: new Date(now + d.ctx.settings.recheck_interval_ms).toISOString() });
      continueRechecking();
      return;
    }
    o.accepted_at = d.iso;
    dropChecks(d, ['recheck', 'pre_check', 'notification']);
    d.move('status_accepted', undefined, { fraud_status: snap.fraud_status, expires_at: snap.expires_at });
    return;
  }
  followProvider(d, snap);
}

function dropChecks(d: Draft, reasons: string[]): void {
  for (const s of [...d.order.steps]) if (s.input.kind === 'check_status' && reasons.includes(s.input.reason)) d.removeStep(s.id);
}

function captureOutcome(d: Draft, step: Step, outcome: Ok | Rejected, settleRequest: (s: RequestStatus) => void): void {
  if (step.input.kind !== 'capture') return;
  const input = step.input;
  const o = d.order;
  const capture = o.captures.find((c) => c.capture_id === input.capture.capture_id);
  if (outcome.kind === 'ok') {
    settleRequest('SETTLED');
    if (capture && capture.status === 'PENDING') {
      capture.status = 'SETTLED';
      capture.request_id = step.request_id;
      if (outcome.data.capture_id) capture.klarna_capture_id = outcome.data.capture_id;
      o.captured_amount += capture.amount;
      d.addStep({ kind: 'capture_status', capture_id: capture.capture_id, reason: 'poll' }, d.ctx.now + d.ctx.settings.settlement_poll_interval_ms, { checksRequestId: capture.request_id });
    }
    if (o.status === 'capturing') {
      d.move('captured', o.captured_amount >= o.cart.order_amount ? 'fully_captured' : 'amount_remaining', { capture_id: capture?.capture_id, captured_amount: capture?.amount, klarna_capture_id: outcome.data.capture_id });
    }
    return;
  }
  settleRequest('FAILED');
  const snap = outcome.read_back;
  if (o.status !== 'capturing') {
    if (capture) capture.status = 'FAILED';
    return;
  }
  if (snap && followProvider(d, snap)) return;
  const tooSmall = !input.after_update && snap !== undefined && snap.remaining_authorized_amount < input.capture.amount && o.cart.order_amount > snap.order_amount;
  if (tooSmall) {
    // Spryker: "if activation fails, we need to update the reservation".
    d.move('capture_refused', 'reservation_too_small', { capture_id: input.capture.capture_id, error_code: outcome.error_code, order_amount: o.cart.order_amount });
    d.addStep({ kind: 'update_authorization', capture: input.capture, order_amount: o.cart.order_amount }, d.ctx.now, { eager: true });
    return;
  }
  if (capture) capture.status = 'FAILED';
  d.move('capture_refused', capturedGuard(o), { capture_id: input.capture.capture_id, error_code: outcome.error_code });
}

function captureStatusOutcome(d: Draft, step: Step, outcome: Ok | Rejected, settleRequest: (s: RequestStatus) => void): void {
  if (step.input.kind !== 'capture_status') return;
  const input = step.input;
  const o = d.order;
  const capture = o.captures.find((c) => c.capture_id === input.capture_id);
  if (outcome.kind === 'rejected') {
    settleRequest('FAILED');
    return;
  }
  const settlement = outcome.data.settlement ?? input.hint;
  settleRequest(settlement === 'CHARGEBACK' ? 'CHARGEBACK' : 'SETTLED');
  if (!capture || d.final) return;
  if (input.reason === 'poll') capture.polls += 1;
  if (settlement === 'SETTLED' && !capture.settled) {
    capture.settled = true;
    capture.settled_at = d.iso;
    d.note('capture_funds_settled', { capture_id: capture.capture_id, klarna_capture_id: capture.klarna_capture_id });
  }
  if (settlement === 'DISPUTED' && !capture.disputed) {
    capture.disputed = true;
    d.note('capture_disputed', { capture_id: capture.capture_id });
  }
  if (settlement === 'CHARGEBACK' && capture.status !== 'CHARGEBACK') {
    capture.disputed = true;
    capture.status = 'CHARGEBACK';
    d.note('chargeback', { capture_id: capture.capture_id, amount: capture.amount });
  }
  const stillOpen = !capture.settled && capture.status === 'SETTLED';
  const polling = o.steps.some((s) => s.input.kind === 'capture_status' && s.input.capture_id === capture.capture_id);
  if (stillOpen && !polling && capture.polls < limits.merchantSettlementPollsMax) {
    d.addStep({ kind: 'capture_status', capture_id: capture.capture_id, reason: 'poll' }, d.ctx.now + d.ctx.settings.settlement_poll_interval_ms, { checksRequestId: capture.request_id });
  }
}
