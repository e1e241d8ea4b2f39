/**
 * Durable timers on each account's clock. Every deadline (session expiry, token expiry, order
 * expiry, fraud review, retries of workflow steps) is a row written in the same transaction as
 * the state that needs it. The runner fires due timers in deadline order; each firing is an
 * ordinary engine command that consumes the timer row, so a timer fires exactly once even with
 * several nodes (the loser's must-exist delete fails and it skips). Cost follows what is due: the
 * query walks the (account_id, due_at) index.
 */
import type { Logger } from 'pino';
import type { Engine } from '../app/engine.js';
import type { UnitOfWork } from '../app/unit-of-work.js';
import { limits } from '../domain/limits.js';
import { observeTimerFired } from '../metrics/metrics.js';
import type { AccountRecord, TimerRecord } from '../store/port.js';

export type TimerHandler = (uow: UnitOfWork, timer: TimerRecord) => Promise<void>;

export class TimerRunner {
  private readonly handlers = new Map<string, TimerHandler>();
  private interval?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
  ) {}

  register(kind: string, handler: TimerHandler): void {
    if (this.handlers.has(kind)) throw new Error(`timer kind ${kind} registered twice`);
    this.handlers.set(kind, handler);
  }

  /** Fires every timer of this account that is due now, in deadline order, until none is left. */
  async fireDue(account: AccountRecord): Promise<number> {
    let fired = 0;
    for (;;) {
      const fresh = (await this.engine.store.getAccount(account.id)) ?? account;
      const due = await this.engine.store.dueTimers(fresh.id, this.engine.accountNow(fresh), limits.timerBatchSize);
      if (due.length === 0) return fired;
      for (const [i, timer] of due.entries()) {
        if (await this.fire(fresh, timer)) fired++;
        // A fired timer may have scheduled another that falls due before the rest of this batch
        // (a re-check 2 h later, inside a 6 h advance): fetch again so deadline order holds.
        const next = due[i + 1];
        if (next && next.dueAt > timer.dueAt && (await this.engine.store.dueTimers(fresh.id, next.dueAt - 1, 1)).length > 0) break;
      }
    }
  }

  private async fire(account: AccountRecord, timer: TimerRecord): Promise<boolean> {
    const handler = this.handlers.get(timer.kind);
    // The firing's own correlation id: the events it writes carry it, not a request's.
    const correlationId = this.engine.random.uuid();
    const fired = await this.engine.execute(
      account,
      correlationId,
      async (uow) => {
        // Another node (or an overlapping poll) may have fired it already: then there is nothing to do.
        if (!(await this.engine.store.getTimer(timer.id))) return false;
        uow.consumeTimer(timer.id);
        if (!handler) {
          this.logger.error({ timerKind: timer.kind, timerId: timer.id }, 'no handler for timer kind; dropping timer');
          return true;
        }
        await handler(uow, timer);
        return true;
      },
      { at: timer.dueAt },
    );
    // Lag only where the account clock is the system's: a test-clock advance fires timers "late" on purpose.
    if (fired) observeTimerFired(timer.kind, account.clockOffsetMs === 0 ? this.engine.accountNow(account) - timer.dueAt : undefined);
    return fired;
  }

  /** Polls every account for due timers (time passing on its own, not only by clock advances). */
  start(intervalMs: number): void {
    this.interval = setInterval(() => {
      if (this.running) return;
      this.running = this.pollAll()
        .catch((error) => this.logger.error({ err: error }, 'timer poll failed'))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.interval.unref();
  }

  async stop(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    await this.running;
  }

  async pollAll(): Promise<void> {
    for (const account of await this.engine.store.listAccounts()) await this.fireDue(account);
  }
}
