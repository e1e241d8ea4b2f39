/**
 * The command engine: load -> decide (pure, in src/domain) -> commit, in one transaction.
 * Optimistic concurrency: when a commit loses a race (ConcurrencyConflict) the whole command is
 * run again on fresh state, up to `limits.commitRetriesMax` times; a rejection thrown by the
 * command (KassaError) writes nothing. Time is the account's clock; randomness is injected.
 */
import type { Logger } from 'pino';
import { KassaError } from '../domain/errors.js';
import { limits } from '../domain/limits.js';
import { ConcurrencyConflict, DuplicateKey, type AccountRecord, type CommitBatch, type IdempotencyRecord, type Store } from '../store/port.js';
import type { Clock, Random } from './ports.js';
import { UnitOfWork } from './unit-of-work.js';

export interface EngineDeps {
  store: Store;
  clock: Clock;
  random: Random;
  logger: Logger;
}

export interface ExecuteOptions<R> {
  /** Builds the idempotency record committed with the command's writes (HTTP layer). */
  idempotency?: (result: R, now: number) => IdempotencyRecord;
  /**
   * Account-clock time to run at, when earlier than the account's now: a timer fires at its own
   * due time, so what it records (and any timer it schedules) is stamped as a live clock would.
   */
  at?: number;
}

export class Engine {
  readonly store: Store;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;

  constructor(deps: EngineDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.random = deps.random;
    this.logger = deps.logger;
  }

  private readonly commitListeners = new Set<CommitListener>();

  /**
   * Calls `listener` after each commit of this process's engine is durable (the dashboard's live
   * pages). Only this process's commits: other nodes' are seen by polling. Returns an unsubscribe.
   */
  onCommitted(listener: CommitListener): () => void {
    this.commitListeners.add(listener);
    return () => void this.commitListeners.delete(listener);
  }

  private notifyCommitted(batch: CommitBatch): void {
    for (const listener of this.commitListeners) {
      try {
        listener(batch);
      } catch (error) {
        this.logger.warn({ err: error }, 'commit listener failed');
      }
    }
  }

  /** The account's current time: system time plus its test-clock offset. */
  accountNow(account: AccountRecord): number {
    return this.clock.now() + account.clockOffsetMs;
  }

  /**
   * Runs `command` and commits what it wrote. The account is re-read on every attempt so a
   * concurrent clock advance is seen. Returns the command's result after the commit is durable.
   */
  async execute<R>(account: AccountRecord, correlationId: string, command: (uow: UnitOfWork) => Promise<R>, options: ExecuteOptions<R> = noOptions): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const fresh = attempt === 1 ? account : ((await this.store.getAccount(account.id)) ?? account);
      const now = Math.min(options.at ?? Number.POSITIVE_INFINITY, this.accountNow(fresh));
      const uow = new UnitOfWork(this.store, { account: fresh, now, correlationId, random: this.random });
      const result = await command(uow);
      const idempotency = options.idempotency?.(result, uow.now);
      if (uow.isEmpty && !idempotency) return result;
      try {
        const batch = uow.toBatch();
        await this.store.commit(idempotency ? { ...batch, idempotency } : batch);
        this.notifyCommitted(batch);
        return result;
      } catch (error) {
        if (error instanceof ConcurrencyConflict && attempt < limits.commitRetriesMax) {
          this.logger.debug({ correlationId, attempt }, 'commit conflict, retrying command');
          // Jittered back-off, so a crowd racing for one object spreads out instead of colliding again.
          await sleep(Math.min(limits.commitRetryDelayMsMax, 2 ** attempt) * this.random.fraction());
          continue;
        }
        if (error instanceof ConcurrencyConflict) throw new KassaError('CONFLICT');
        if (error instanceof DuplicateKey && error.what !== 'idempotency' && attempt < limits.commitRetriesMax) continue;
        throw error;
      }
    }
  }
}

export type CommitListener = (batch: CommitBatch) => void;

const noOptions: ExecuteOptions<any> = Object.freeze({});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
