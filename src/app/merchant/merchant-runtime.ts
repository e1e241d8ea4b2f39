/**
 * The merchant role's engine room: turns merchant commands and provider notifications into
 * decisions (src/domain/merchant-order), and runs the durable steps those decisions schedule.
 *
 * A step is a row in the order (its intent) plus a timer `merchant.step` on the account clock,
 * both committed by the command that decided it. Running a step is one engine command that
 * consumes the timer (must-exist: exactly once, whichever node or loop gets there first), makes
 * the outbound call with no transaction open, and commits the outcome — the next state, its
 * events and the timers of the next steps — together. If the process dies after the call and
 * before that commit, the timer is still there and the step runs again after the restart with the
 * same `Klarna-Idempotency-Key` (the step id), after reading the order back when the first
 * outcome was unknown: the provider never does it twice.
 *
 * Steps run when their timer falls due (the timer poller, or a test-clock advance), and right
 * away for the order a merchant request just changed (`drive`), so an API call answers with the
 * outcome when the provider answers promptly. Within this process the steps of one order run one
 * at a time.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import { KassaError, orThrow } from '../../domain/errors.js';
import { limits } from '../../domain/limits.js';
import { decideCommand, openMerchantOrder, type MerchantCommand } from '../../domain/merchant-order/decide-command.js';
import { decideOutcome, type StepOutcome } from '../../domain/merchant-order/decide-outcome.js';
import type { DecideContext, Decision } from '../../domain/merchant-order/merchant-order-core.js';
import { merchantOrderType, type Cart, type MerchantOrder, type MerchantSettings, type Step } from '../../domain/merchant-order/merchant-order-state.js';
import type { AccountRecord, TimerRecord } from '../../store/port.js';
import type { Engine } from '../engine.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { guardedHttpClient, type HttpClient } from './http-client.js';
import { KlarnaClient, RequestNotSent } from './klarna-client.js';
import { credentialsOf, currentConnectionId, loadSettings } from './merchant-profile.js';
import { performStep } from './perform-step.js';
import { SecretBox } from './secret-box.js';

export const merchantStepTimerKind = 'merchant.step';
export const lookupKinds = {
  request: 'merchant_request',
  notification: 'merchant_notification',
  checkoutKey: 'merchant_checkout_key',
} as const;

export function stepTimerId(orderId: string, step: Pick<Step, 'id' | 'rev'>): string {
  return `mo:${orderId}:${step.id}:${step.rev}`;
}

interface StepTimerPayload {
  orderId: string;
  stepId: string;
  rev: number;
}

export class MerchantRuntime {
  /** Outbound HTTP (tests swap it to inject faults). */
  http: HttpClient;
  callTimeoutMs: number = limits.merchantCallTimeoutMs;
  private boxPromise?: Promise<SecretBox>;
  private readonly locks = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    readonly engine: Engine,
    readonly config: Config,
    readonly logger: Logger,
  ) {
    this.http = guardedHttpClient(config.outbound);
  }

  box(): Promise<SecretBox> {
    this.boxPromise ??= this.engine.store.getOrCreateSetting('merchant_connection_secret', this.engine.random.token(32)).then((secret) => new SecretBox(secret));
    return this.boxPromise;
  }

  notificationUrl(order: Pick<MerchantOrder, 'notification_token'>): string {
    return `${this.config.publicUrl}/merchant/v1/notifications/${order.notification_token}`;
  }

  private context(uow: UnitOfWork, settings: MerchantSettings): DecideContext {
    return { now: uow.now, newId: () => uow.ctx.random.uuid(), settings };
  }

  // ---- commands -----------------------------------------------------------------------------

  /** Opens a checkout (idempotent under the merchant's key). Returns the merchant order id. */
  async openCheckout(uow: UnitOfWork, cart: Cart, credentials: { username: string; password: string } | undefined, clientKey?: string): Promise<string> {
    if (clientKey) {
      const seen = await uow.findByKey(lookupKinds.checkoutKey, `${uow.accountId}\u0000${clientKey}`);
      if (seen) return seen.id;
    }
    const box = await this.box();
    const connectionId = await currentConnectionId(uow, box, this.config.publicUrl, credentials);
    if (!connectionId) throw new KassaError('NOT_ALLOWED', ['No provider connection is configured: PUT /merchant/v1/connection']);
    const orderId = uow.ctx.random.uuid();
    const token = uow.ctx.random.token(24);
    const decision = openMerchantOrder({ orderId, cart, connectionId, notificationToken: token }, this.context(uow, await loadSettings(uow)));
    this.persist(uow, undefined, decision);
    uow.addLookup(lookupKinds.notification, token, merchantOrderType, orderId);
    if (clientKey) uow.addLookup(lookupKinds.checkoutKey, `${uow.accountId}\u0000${clientKey}`, merchantOrderType, orderId);
    return orderId;
  }

  /** Applies a merchant command (or notification) to an order; a refusal throws KassaError. */
  async command(uow: UnitOfWork, orderId: string, command: MerchantCommand, clientKey?: string): Promise<MerchantOrder> {
    const order = await uow.load<MerchantOrder>(merchantOrderType, orderId);
    if (!order) throw new KassaError('NOT_FOUND', ['No such order']);
    const decision = orThrow(decideCommand(order, command, this.context(uow, await loadSettings(uow)), clientKey));
    if (decision.order !== order) this.persist(uow, order, decision);
    return decision.order;
  }

  /** Writes a decision: the new state, its timeline events, the timers of new or moved steps. */
  persist(uow: UnitOfWork, before: MerchantOrder | undefined, decision: Decision): void {
    const order = decision.order;
    const id = order.order_id;
    uow.put(merchantOrderType, id, order);
    for (const e of decision.events) uow.event(merchantOrderType, id, e.type, e.data);
    const old = new Map((before?.steps ?? []).map((s) => [s.id, s]));
    for (const step of order.steps) {
      const previous = old.get(step.id);
      old.delete(step.id);
      if (previous && previous.rev === step.rev) continue;
      if (previous) uow.cancelTimer(stepTimerId(id, previous));
      const payload: StepTimerPayload = { orderId: id, stepId: step.id, rev: step.rev };
      uow.schedule({ id: stepTimerId(id, step), dueAt: step.due_at, kind: merchantStepTimerKind, aggregateType: merchantOrderType, aggregateId: id, payload });
    }
    for (const gone of old.values()) uow.cancelTimer(stepTimerId(id, gone));
    const known = new Set((before?.requests ?? []).map((r) => r.request_id));
    for (const r of order.requests) if (!known.has(r.request_id)) uow.addLookup(lookupKinds.request, r.request_id, merchantOrderType, id);
  }

  // ---- steps --------------------------------------------------------------------------------

  /**
   * The TimerRunner's handler for `merchant.step`. It runs the step as its own command (under the
   * order's lock, so the outcome commits before the next step of the order starts); the runner's
   * own consume of the timer then loses the race and skips, which is what the must-exist delete
   * is for.
   */
  async onTimer(uow: UnitOfWork, timer: TimerRecord): Promise<void> {
    await this.fireStep(uow.ctx.account, timer.id, (timer.payload as StepTimerPayload).orderId);
  }

  /** Runs the step behind timer `timerId` if the timer is still there. True when it consumed it. */
  async fireStep(account: AccountRecord, timerId: string, orderId: string): Promise<boolean> {
    return this.withLock(orderId, async () => {
      const timer = await this.engine.store.getTimer(timerId);
      if (!timer) return false;
      const correlationId = this.engine.random.uuid();
      return this.engine.execute(
        account,
        correlationId,
        async (uow) => {
          if (!(await this.engine.store.getTimer(timerId))) return false;
          uow.consumeTimer(timerId);
          const { stepId, rev } = timer.payload as StepTimerPayload;
          const order = await uow.load<MerchantOrder>(merchantOrderType, orderId);
          const step = order?.steps.find((s) => s.id === stepId);
          if (!order || !step || step.rev !== rev) return true;
          const settings = await loadSettings(uow);
          const outcome = await this.perform(uow, order, step);
          const decision = decideOutcome(order, stepId, outcome, this.context(uow, settings));
          this.persist(uow, order, decision);
          this.logger.info(
            { correlationId, merchantOrderId: orderId, step: step.input.kind, attempt: step.attempts + 1, outcome: outcome.kind, httpStatus: outcome.http_status, state: decision.order.status },
            'merchant step',
          );
          return true;
        },
        { at: timer.dueAt },
      );
    });
  }

  private async perform(uow: UnitOfWork, order: MerchantOrder, step: Step): Promise<StepOutcome> {
    if (step.input.kind === 'book_funds') return { kind: 'ok', data: {} };
    const credentials = await credentialsOf(uow, await this.box(), order.connection_id);
    if (!credentials) return { kind: 'rejected', error_code: 'NO_CONNECTION', error_messages: ['The provider connection of this order is gone'] };
    const client = new KlarnaClient(credentials, this.http, this.callTimeoutMs);
    try {
      return await performStep(client, order, step, { notificationUrl: this.notificationUrl(order) });
    } catch (error) {
      // A step must end in an outcome: an exception here would leave its timer to fail every later
      // clock advance of the account. Nothing sent is a definitive failure; anything else may have
      // happened after a call went out, so it is unknown (read back, retried, given up on).
      if (error instanceof RequestNotSent) return { kind: 'rejected', error_code: 'REQUEST_NOT_SENT', error_messages: [error.message] };
      this.logger.error({ err: error, merchantOrderId: order.order_id, step: step.input.kind }, 'merchant step failed unexpectedly');
      return { kind: 'unknown', reason: `the step failed unexpectedly (${error instanceof Error ? error.name : 'Error'})` };
    }
  }

  /** Runs the order's due steps now, in due order, until none is due (bounded). */
  async drive(account: AccountRecord, orderId: string): Promise<number> {
    let fired = 0;
    for (let i = 0; i < limits.merchantDriveStepsMax; i++) {
      const fresh = (await this.engine.store.getAccount(account.id)) ?? account;
      const now = this.engine.accountNow(fresh);
      const record = await this.engine.store.getAggregate<MerchantOrder>(fresh.id, merchantOrderType, orderId);
      const due = record?.state.steps.filter((s) => s.due_at <= now).sort((a, b) => a.due_at - b.due_at)[0];
      if (!due) break;
      if (await this.fireStep(fresh, stepTimerId(orderId, due), orderId)) fired++;
    }
    return fired;
  }

  /** Drives an order in the background (after a notification was acknowledged). */
  kick(account: AccountRecord, orderId: string): void {
    const run = this.drive(account, orderId).catch((error) => this.logger.error({ err: error, merchantOrderId: orderId }, 'merchant drive failed'));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Resolves when no background drive is running (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.locks.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}

const runtimes = new WeakMap<Engine, MerchantRuntime>();

/** The one MerchantRuntime of a Kassa instance (shared by its routes and its timer handler). */
export function merchantRuntimeFor(parts: { engine: Engine; config: Config; logger: Logger }): MerchantRuntime {
  let runtime = runtimes.get(parts.engine);
  if (!runtime) {
    runtime = new MerchantRuntime(parts.engine, parts.config, parts.logger);
    runtimes.set(parts.engine, runtime);
  }
  return runtime;
}
