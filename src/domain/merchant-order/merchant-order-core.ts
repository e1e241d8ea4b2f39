/**
 * Shared machinery of the merchant order's decide functions: a draft (a working copy of the order
 * plus the events it produced), moving along the transition table, adding and rescheduling steps,
 * keeping the request log, and the derived transitions that follow from facts (every capture
 * settled -> settled; everything refunded -> refunded). Pure: time and ids come in the context.
 */
import { invariant } from '../invariant.js';
import { durations, limits } from '../limits.js';
import { isFinal } from '../machine.js';
import { merchantOrderMachine, target, type MerchantOrderEvent, type MerchantOrderGuard, type MerchantOrderStatus } from './merchant-order-machine.js';
import type { MerchantOrder, MerchantSettings, RequestEntry, RequestKind, RequestStatus, Step, StepInput } from './merchant-order-state.js';
import { multiSafepayStatus } from './status-views.js';

export interface DecideContext {
  /** Account-clock time, ms. */
  now: number;
  /** A fresh unique id (uuid) each call. */
  newId: () => string;
  settings: MerchantSettings;
}

export interface DomainEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface Decision {
  order: MerchantOrder;
  events: DomainEvent[];
}

export class Draft {
  readonly order: MerchantOrder;
  readonly events: DomainEvent[] = [];

  constructor(
    original: MerchantOrder,
    readonly ctx: DecideContext,
  ) {
    this.order = structuredClone(original);
  }

  get iso(): string {
    return new Date(this.ctx.now).toISOString();
  }

  get final(): boolean {
    return isFinal(merchantOrderMachine, this.order.status);
  }

  /** Appends a timeline event carrying the state and the MultiSafepay pair after it. */
  note(type: string, data: Record<string, unknown> = {}): void {
    this.events.push({ type: `merchant_order.${type}`, data: { ...data, state: this.order.status, ...multiSafepayStatus(this.order) } });
  }

  /** Takes the table's transition for `event` (under exactly `guard`); a missing one is a bug. */
  move(event: MerchantOrderEvent, guard?: MerchantOrderGuard, data: Record<string, unknown> = {}): void {
    const from = this.order.status;
    const to = target(from, event, guard);
    invariant(to !== undefined, `merchant order: no transition ${from} -${event}${guard ? ` [${guard}]` : ''}->`);
    this.order.status = to;
    if (this.final) this.endWork();
    this.note(event, { from, ...(guard ? { guard } : {}), ...data });
  }

  /** Entering a final state: nothing more runs; whatever was still pending is marked failed. */
  private endWork(): void {
    const o = this.order;
    // Requests still waiting on a step end FAILED; a check that found Klarna's review pending keeps
    // its PENDING: that was its answer.
    const waiting = new Set(o.steps.map((s) => s.request_id));
    o.steps = [];
    for (const r of o.requests) if (r.status === 'PENDING' && waiting.has(r.request_id)) this.setRequest(r.request_id, 'FAILED', { error_code: 'WORKFLOW_ENDED', error_messages: [`The order became ${o.status}`] });
    for (const c of o.captures) if (c.status === 'PENDING') c.status = 'FAILED';
    for (const r of o.refunds) if (r.status === 'PENDING') r.status = 'FAILED';
    delete o.authorization_token;
    delete o.resume_status;
  }

  step(id: string): Step | undefined {
    return this.order.steps.find((s) => s.id === id);
  }

  /**
   * Adds a durable step due at `dueAt`. `eager` creates its request entry now (commands the
   * merchant is waiting on); scheduled checks get theirs when they run.
   */
  addStep(input: StepInput, dueAt: number, options: { eager?: boolean; clientKey?: string; checksRequestId?: string; amount?: number; captureId?: string; refundId?: string } = {}): Step {
    const step: Step = { id: this.ctx.newId(), input, due_at: dueAt, rev: 1, attempts: 0, unknown: false, request_id: this.ctx.newId() };
    if (options.checksRequestId) step.checks_request_id = options.checksRequestId;
    this.order.steps.push(step);
    if (options.eager) this.ensureRequest(step, options);
    return step;
  }

  removeStep(id: string): void {
    this.order.steps = this.order.steps.filter((s) => s.id !== id);
  }

  reschedule(step: Step, dueAt: number): void {
    step.due_at = dueAt;
    step.rev += 1;
  }

  /** The request entry of a step, created (PENDING) if it has none yet. */
  ensureRequest(step: Step, options: { clientKey?: string; amount?: number; captureId?: string; refundId?: string } = {}): RequestEntry | undefined {
    const kind = requestKindOf(step.input);
    if (!kind) return undefined;
    const existing = this.order.requests.find((r) => r.request_id === step.request_id);
    if (existing) return existing;
    const entry: RequestEntry = {
      request_id: step.request_id,
      kind,
      status: 'PENDING',
      status_history: [{ status: 'PENDING', at: this.iso }],
      created_at: this.iso,
      updated_at: this.iso,
      attempts: 0,
    };
    if (mutatingRequestKinds.includes(kind)) entry.idempotency_key = step.id;
    if (step.checks_request_id) entry.checks_request_id = step.checks_request_id;
    const amount = options.amount ?? amountOf(step.input);
    if (amount !== undefined) entry.amount = amount;
    const captureId = options.captureId ?? captureIdOf(step.input);
    if (captureId) entry.capture_id = captureId;
    const refundId = options.refundId ?? refundIdOf(step.input);
    if (refundId) entry.refund_id = refundId;
    if (options.clientKey) entry.client_key = options.clientKey;
    this.makeRoom();
    this.order.requests.push(entry);
    return entry;
  }

  /**
   * Keeps the request log within limits.merchantRequestsPerOrderMax: the oldest answered status
   * check goes first (checks can be made again; operations are never dropped).
   */
  private makeRoom(): void {
    const requests = this.order.requests;
    if (requests.length < limits.merchantRequestsPerOrderMax) return;
    const checkKinds = ['check_status', 'capture_status', 'refund_status'];
    const oldest = requests.findIndex((r) => checkKinds.includes(r.kind) && r.status !== 'PENDING' && !this.order.steps.some((s) => s.request_id === r.request_id));
    if (oldest >= 0) requests.splice(oldest, 1);
  }

  request(id: string): RequestEntry | undefined {
    return this.order.requests.find((r) => r.request_id === id);
  }

  setRequest(id: string, status: RequestStatus, details: Partial<Pick<RequestEntry, 'http_status' | 'error_code' | 'error_messages' | 'klarna_correlation_id' | 'attempts'>> = {}): void {
    const r = this.request(id);
    invariant(r !== undefined, `merchant order: no request ${id}`);
    if (r.status !== status) r.status_history.push({ status, at: this.iso });
    r.status = status;
    r.updated_at = this.iso;
    for (const [k, v] of Object.entries(details)) if (v !== undefined) (r as unknown as Record<string, unknown>)[k] = v;
    if (r.checks_request_id) {
      const checked = this.request(r.checks_request_id);
      if (checked) checked.latest_check = { request_id: r.request_id, status };
    }
  }

  /**
   * One pending check of the authorization expiry, at the provider's `expires_at` — once per
   * expiry: after a check has read the order back past it (`expiry_checked`), no new one is
   * scheduled for the same `expires_at`, so an order the provider keeps live never re-arms a check
   * that is due at once (which a clock advance would fire forever).
   */
  ensureExpiryCheck(): void {
    const o = this.order;
    const existing = o.steps.find((s) => s.input.kind === 'check_status' && s.input.reason === 'expiry');
    const watch: MerchantOrderStatus[] = ['ready_to_ship', 'shipped', 'capture_failed', 'part_captured', 'capturing', 'updating'];
    const expiresAt = o.klarna.expires_at ? Date.parse(o.klarna.expires_at) : NaN;
    if (!watch.includes(o.status) || Number.isNaN(expiresAt) || o.expiry_checked === o.klarna.expires_at) {
      if (existing) this.removeStep(existing.id);
      return;
    }
    const dueAt = Math.max(this.ctx.now, expiresAt + durations.merchantCheckAfterDeadlineMs);
    if (!existing) this.addStep({ kind: 'check_status', reason: 'expiry' }, dueAt);
    else if (existing.due_at !== dueAt && existing.attempts === 0) this.reschedule(existing, dueAt);
  }

  /** Transitions that follow from facts; run after every decision. */
  settle(): void {
    const o = this.order;
    if (o.status === 'captured') {
      const live = o.captures.filter((c) => c.status === 'SETTLED');
      if (live.length > 0 && live.every((c) => c.settled)) {
        o.settled_at = this.iso;
        this.move('capture_settled', 'all_settled');
        this.addStep({ kind: 'book_funds' }, this.ctx.now + this.ctx.settings.payout_delay_ms);
      }
    }
    if ((o.status === 'captured' || o.status === 'settled' || o.status === 'completed') && o.captured_amount > 0 && o.refunded_amount >= o.captured_amount) {
      this.move('refunded_in_full');
    }
    if (!this.final) this.ensureExpiryCheck();
    invariant(o.refunded_amount <= o.captured_amount, 'merchant order: refunded <= captured');
  }

  done(): Decision {
    this.order.updated_at = this.iso;
    return { order: this.order, events: this.events };
  }
}

const mutatingRequestKinds: RequestKind[] = ['session', 'authorization', 'reversal', 'capture', 'refund', 'update_authorization', 'extend_authorization', 'shipping_info'];

export function requestKindOf(input: StepInput): RequestKind | undefined {
  switch (input.kind) {
    case 'create_session':
      return 'session';
    case 'place_order':
      return 'authorization';
    case 'check_status':
      return 'check_status';
    case 'cancel':
    case 'release':
      return 'reversal';
    case 'capture':
      return 'capture';
    case 'update_authorization':
      return 'update_authorization';
    case 'refund':
      return 'refund';
    case 'extend':
      return 'extend_authorization';
    case 'shipping_info':
      return 'shipping_info';
    case 'capture_status':
      return 'capture_status';
    case 'refund_status':
      return 'refund_status';
    case 'book_funds':
      return undefined;
  }
}

function amountOf(input: StepInput): number | undefined {
  if (input.kind === 'capture') return input.capture.amount;
  if (input.kind === 'refund') return input.amount;
  if (input.kind === 'update_authorization') return input.order_amount;
  return undefined;
}

function captureIdOf(input: StepInput): string | undefined {
  if (input.kind === 'capture' || input.kind === 'update_authorization') return input.capture.capture_id;
  if (input.kind === 'capture_status') return input.capture_id;
  return undefined;
}

function refundIdOf(input: StepInput): string | undefined {
  if (input.kind === 'refund') return input.refund_id;
  if (input.kind === 'refund_status') return input.refund_id;
  return undefined;
}

/** Back-off for a step whose outcome was unknown: 30 s, 1, 2, 4, 8, 16, 32 min, then hourly. */
export function unknownRetryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3600_000);
}
