/**
 * The main-thread side of the SQLite writer thread (sqlite-writer.ts): sends each write call as a
 * message and settles its promise from the reply. Errors cross the thread boundary by name, so the
 * engine still sees ConcurrencyConflict and DuplicateKey. The worker keeps the process alive only
 * while a call is waiting for its reply.
 */
import { Worker } from 'node:worker_threads';
import { ConcurrencyConflict, DuplicateKey, type CommitBatch } from '../port.js';

/** The SqliteStore methods that write; in thread mode they all run on the writer thread. */
export const writeMethods = [
  'commitGroup',
  'createAccount',
  'setClockOffset',
  'claimOutbox',
  'recordAttempt',
  'requeueOutbox',
  'getOrCreateSetting',
  'purgeIdempotency',
] as const;
export type WriteMethod = (typeof writeMethods)[number];

export interface WriterRequest {
  id: number;
  method: WriteMethod | 'close';
  args: unknown[];
}

export interface SerializedError {
  name: string;
  message: string;
  what?: DuplicateKey['what'];
  code?: string;
}

export type WriterReply = { id: number; value?: unknown; error?: undefined } | { id: number; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof DuplicateKey) return { name: error.name, message: error.message, what: error.what };
  if (error instanceof Error) return { name: error.name, message: error.message, code: (error as { code?: string }).code };
  return { name: 'Error', message: String(error) };
}

export function deserializeError(e: SerializedError): Error {
  if (e.name === 'ConcurrencyConflict') return new ConcurrencyConflict(e.message);
  if (e.name === 'DuplicateKey') return new DuplicateKey(e.what ?? 'aggregate', e.message);
  const error = new Error(e.message) as Error & { code?: string };
  error.name = e.name;
  if (e.code !== undefined) error.code = e.code;
  return error;
}

interface QueuedCommit {
  batch: CommitBatch;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WriterThread {
  private readonly worker: Worker;
  /** Commits of this turn of the event loop, sent to the writer as one message (one group). */
  private queue: QueuedCommit[] = [];
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  private nextId = 1;
  private dead?: Error;

  constructor(options: { path: string; synchronous?: 'FULL' | 'NORMAL' | 'OFF' }) {
    // From the TypeScript source (npm start, tests) the entry registers tsx in the thread first.
    const fromSource = import.meta.url.endsWith('.ts');
    this.worker = new Worker(new URL(fromSource ? './sqlite-writer-entry.mjs' : './sqlite-writer.js', import.meta.url), { workerData: options });
    this.worker.unref();
    this.worker.on('message', (reply: WriterReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.error) waiting.reject(deserializeError(reply.error));
      else waiting.resolve(reply.value);
    });
    const fail = (error: Error) => {
      this.dead ??= error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', (error) => fail(error instanceof Error ? error : new Error(String(error))));
    this.worker.on('exit', (code) => fail(new Error(`SQLite writer thread exited (${code})`)));
  }

  call<T>(method: WriteMethod | 'close', args: unknown[]): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } satisfies WriterRequest);
    });
  }

  /**
   * Queues a commit; everything queued in this turn of the event loop goes to the writer in one
   * message at the check phase and is group-committed there as one transaction.
   */
  commit(batch: CommitBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.send());
    });
  }

  private send(): void {
    const group = this.queue;
    this.queue = [];
    this.call<(SerializedError | null)[]>('commitGroup', [group.map((c) => c.batch)]).then(
      (outcomes) => group.forEach((c, i) => (outcomes[i] ? c.reject(deserializeError(outcomes[i]!)) : c.resolve())),
      (error) => group.forEach((c) => c.reject(error)),
    );
  }

  async close(): Promise<void> {
    if (this.dead) return;
    await this.call('close', []);
    await this.worker.terminate();
  }
}
