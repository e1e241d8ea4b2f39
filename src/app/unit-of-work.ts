/**
 * A unit of work gathers what one command reads and writes, so that the new states, events,
 * outbox rows, timers and the idempotency record are committed together in one transaction.
 * Reads are remembered with their version; `put` writes back with a compare-and-set on it, so two
 * concurrent commands on one object never lose an update (the loser is retried by the engine).
 */
import type { AccountRecord, ClockMove, CommitBatch, LookupKey, OutboxWrite, Store, TimerWrite } from '../store/port.js';
import type { Random } from './ports.js';

export interface CommandContext {
  readonly account: AccountRecord;
  /** Account-clock time for this command (system time + the account's test-clock offset). */
  readonly now: number;
  readonly correlationId: string;
  readonly random: Random;
}

export class UnitOfWork {
  private readonly versions = new Map<string, number>();
  private clockMove?: ClockMove;
  private readonly batch: Required<Omit<CommitBatch, 'idempotency' | 'clockMove'>> = {
    aggregates: [],
    lookupKeys: [],
    events: [],
    outbox: [],
    timersAdd: [],
    timersRemove: [],
  };

  constructor(
    private readonly store: Store,
    readonly ctx: CommandContext,
  ) {}

  get accountId(): string {
    return this.ctx.account.id;
  }
  get now(): number {
    return this.ctx.now;
  }

  /** Loads an aggregate of this account (undefined when absent or another account's). */
  async load<T>(type: string, id: string): Promise<T | undefined> {
    const record = await this.store.getAggregate<T>(this.accountId, type, id);
    this.versions.set(`${type}\u0000${id}`, record?.version ?? 0);
    return record?.state;
  }

  /** Finds an aggregate by a secondary key, only if it belongs to this account. */
  async findByKey(kind: string, key: string): Promise<LookupKey | undefined> {
    const found = await this.store.findLookup(kind, key);
    return found && found.accountId === this.accountId ? found : undefined;
  }

  /** Writes an aggregate: a compare-and-set on the version read by `load` (insert if never loaded). */
  put(type: string, id: string, state: unknown): void {
    const k = `${type}\u0000${id}`;
    const expectedVersion = this.versions.get(k) ?? 0;
    const existing = this.batch.aggregates.findIndex((a) => a.type === type && a.id === id);
    const write = { accountId: this.accountId, type, id, expectedVersion, state, now: this.now };
    if (existing >= 0) this.batch.aggregates[existing] = write;
    else this.batch.aggregates.push(write);
  }

  addLookup(kind: string, key: string, type: string, id: string): void {
    this.batch.lookupKeys.push({ kind, key, accountId: this.accountId, type, id });
  }

  /**
   * Appends to the event log (the audit trail and the object's timeline), stamped with this
   * command's correlation id: the API request that caused it, or a timer firing's own id.
   */
  event(aggregateType: string, aggregateId: string, type: string, data: unknown = {}): void {
    this.batch.events.push({ accountId: this.accountId, aggregateType, aggregateId, type, data, occurredAt: this.now, correlationId: this.ctx.correlationId });
  }

  /** Queues a message for at-least-once delivery by the outbox dispatcher. */
  enqueue(message: Omit<OutboxWrite, 'accountId' | 'createdAt' | 'nextAttemptAt' | 'id'> & { id?: string; nextAttemptAt?: number }): string {
    const id = message.id ?? this.ctx.random.uuid();
    this.batch.outbox.push({ ...message, id, accountId: this.accountId, createdAt: this.now, nextAttemptAt: message.nextAttemptAt ?? this.now });
    return id;
  }

  /** Schedules (or re-schedules: same id replaces) a durable timer on the account clock. */
  schedule(timer: Omit<TimerWrite, 'accountId'>): void {
    this.cancelTimer(timer.id);
    this.batch.timersAdd.push({ ...timer, accountId: this.accountId });
  }

  cancelTimer(id: string): void {
    this.batch.timersAdd = this.batch.timersAdd.filter((t) => t.id !== id);
    if (!this.batch.timersRemove.some((t) => t.id === id)) this.batch.timersRemove.push({ id, mustExist: false });
  }

  /** Marks a timer as consumed by this command: the commit fails if another node fired it first. */
  consumeTimer(id: string): void {
    this.batch.timersRemove = this.batch.timersRemove.filter((t) => t.id !== id);
    this.batch.timersRemove.unshift({ id, mustExist: true });
  }

  /**
   * Moves the account's test clock forward to `newOffsetMs`, committed with the rest of this unit
   * (compare-and-set on the offset this command started from).
   */
  moveClock(newOffsetMs: number): void {
    if (newOffsetMs < this.ctx.account.clockOffsetMs) throw new Error('the test clock only moves forward');
    this.clockMove = { accountId: this.accountId, expectedOffsetMs: this.ctx.account.clockOffsetMs, newOffsetMs };
  }

  /** What to commit. The unit of work is done with once this is taken (a retry makes a new one). */
  toBatch(): CommitBatch {
    return this.clockMove ? { ...this.batch, clockMove: this.clockMove } : this.batch;
  }

  get isEmpty(): boolean {
    const b = this.batch;
    return !b.aggregates.length && !b.lookupKeys.length && !b.events.length && !b.outbox.length && !b.timersAdd.length && !b.timersRemove.length && !this.clockMove;
  }
}
