/**
 * The requests log: every API request an account makes with its own credentials (HTTP Basic),
 * kept for the dashboard like Stripe's request logs — method, path, route, status, duration,
 * correlation id, idempotency key, and both bodies with secrets and tokens censored
 * (redaction.ts) and cut to `limits.requestLogBodyCharsMax` characters.
 *
 * Off the request's path: an entry is built once the response has been sent (Fastify's
 * onResponse), buffered in memory and written in batches every `limits.requestLogFlushIntervalMs`.
 * Logging never delays or fails a response. The price, accepted for a log: entries still in the
 * buffer are lost if the process dies (a clean shutdown writes them), and when the store refuses
 * a batch it is kept and retried with a back-off while the buffer, bounded by
 * `limits.requestLogBufferMax`, drops its oldest entries; a batch refused
 * `limits.requestLogWriteAttemptsMax` times running is dropped (both counted in GET /metrics).
 * Reads through `list`/`get` write what is buffered first, so a page shows the request just made.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { limits } from '../domain/limits.js';
import type { RequestLogRecord, RequestLogWrite, Store } from '../store/port.js';
import { parseBasic } from './auth.js';
import { redactJsonText } from './redact-json-text.js';
import { redactJson, redactKnown, redactUrl } from './redaction.js';

/** What the metrics module wants to know about the log (dropped entries, failed writes). */
export interface RequestLogObserver {
  dropped(entries: number): void;
  writeFailed(): void;
}

const retryDelayMsMax = 30_000;

export class RequestLog {
  private buffer: RequestLogWrite[] = [];
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly observer: RequestLogObserver = { dropped: () => undefined, writeFailed: () => undefined },
  ) {}

  /** Queues an entry; never throws, never waits. */
  record(entry: RequestLogWrite): void {
    this.buffer.push(entry);
    const excess = this.buffer.length - limits.requestLogBufferMax;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.observer.dropped(excess);
    }
    this.schedule(limits.requestLogFlushIntervalMs);
  }

  /** Entries waiting to be written (tests, metrics). */
  get pending(): number {
    return this.buffer.length;
  }

  /** Writes everything buffered now (one write at a time); resolves when done or when the store refused. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.buffer.length === 0) return;
    this.writing = this.writeAll().finally(() => (this.writing = undefined));
    await this.writing;
  }

  /** The account's newest entries, newest first (what is buffered included). */
  async list(accountId: string, page: { limit: number; before?: string }): Promise<RequestLogRecord[]> {
    await this.flush();
    return this.store.listRequestLog(accountId, { limit: Math.min(Math.max(1, page.limit), limits.pageSizeMax), ...(page.before ? { before: page.before } : {}) });
  }

  /** One entry of the account, by the request's correlation id. */
  async get(accountId: string, correlationId: string): Promise<RequestLogRecord | undefined> {
    await this.flush();
    return this.store.getRequestLog(accountId, correlationId);
  }

  /** Writes what is buffered and stops the timer (before the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  private async writeAll(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, limits.requestLogBatchMax);
      try {
        await this.store.appendRequestLog(batch);
      } catch (error) {
        // Kept for a later try (SQLite busy with another process's write, PostgreSQL away), with a
        // back-off so a store that keeps refusing is not hammered; the buffer's bound still holds.
        this.observer.writeFailed();
        if (this.failures++ === 0) this.logger.warn({ err: error, entries: this.buffer.length }, 'requests log: write failed, will retry');
        if (this.failures >= limits.requestLogWriteAttemptsMax) {
          // Refused every time: perhaps something in the batch itself. Let the rest through.
          this.logger.warn({ err: error, entries: batch.length }, 'requests log: batch dropped after repeated failures');
          this.observer.dropped(batch.length);
          this.removeWritten(batch);
          this.failures = 0;
        }
        this.schedule(Math.min(retryDelayMsMax, limits.requestLogFlushIntervalMs * 2 ** this.failures));
        return;
      }
      this.failures = 0;
      this.removeWritten(batch);
    }
  }

  /**
   * Entries dropped for the bound while a batch was being written went from the front: remove the
   * batch by identity, not by position.
   */
  private removeWritten(batch: RequestLogWrite[]): void {
    const written = new Set(batch);
    this.buffer = this.buffer.filter((e) => !written.has(e));
  }
}

/** The response body as sent, remembered by onSend for the onResponse hook that logs the request. */
const responsePayloads = new WeakMap<FastifyRequest, unknown>();
/** When each request arrived (system clock, from the injected clock), noted by onRequest. */
const arrivals = new WeakMap<FastifyRequest, number>();

export function noteArrival(request: FastifyRequest, systemNow: number): void {
  arrivals.set(request, systemNow);
}

export function rememberResponsePayload(request: FastifyRequest, payload: unknown): void {
  if (shouldLog(request)) responsePayloads.set(request, payload);
}

/**
 * Requests authenticated by an account's own credentials: the API. Not the purchase journey (the
 * consumer's client token), not a provider's notification callback, not the dashboard or /metrics.
 */
export function shouldLog(request: FastifyRequest): boolean {
  const account = (request as { account?: unknown }).account;
  if (!account) return false;
  if (!/^Basic\s/i.test(request.headers.authorization ?? '')) return false;
  const url = request.url;
  return !url.startsWith('/dashboard') && !url.startsWith('/metrics');
}

/** Builds the entry for a request that has been answered (undefined when it is not logged). */
export function requestLogEntry(request: FastifyRequest, reply: FastifyReply, id: string): RequestLogWrite | undefined {
  if (!shouldLog(request)) return undefined;
  const account = request.account;
  const route = request.routeOptions.url;
  const idempotencyKey = headerValue(request.headers['klarna-idempotency-key']);
  // The caller's own password, wherever else it put it (a body field, a path), is censored too.
  const password = parseBasic(request.headers.authorization)?.password;
  const known = password ? [password] : [];
  const requestBody = bodyText(request.body, known);
  const responseBody = payloadText(responsePayloads.get(request), String(reply.getHeader('content-type') ?? ''), known);
  responsePayloads.delete(request);
  return {
    id,
    accountId: account.id,
    // When it arrived, on the account's clock (the offset read when its credentials were checked).
    at: (arrivals.get(request) ?? 0) + account.clockOffsetMs,
    method: request.method,
    path: truncate(redactUrl(request.url, route, known), limits.requestLogPathCharsMax),
    route: route ?? 'unmatched',
    statusCode: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime),
    correlationId: request.correlationId,
    // Shown as sent: it is the client's own label for its request, and a UUID (the usual choice)
    // would otherwise be censored as a token. Only the caller's password is taken out of it.
    ...(idempotencyKey !== undefined ? { idempotencyKey: truncate(redactKnown(idempotencyKey, known), limits.idempotencyKeyLengthMax) } : {}),
    ...(requestBody !== undefined ? { requestBody } : {}),
    ...(responseBody !== undefined ? { responseBody } : {}),
  };
}

function headerValue(raw: string | string[] | undefined): string | undefined {
  return Array.isArray(raw) ? raw[0] : raw;
}

/**
 * A parsed request body, redacted. Unparsed ones (malformed JSON) are not kept: they may hold
 * anything. JSON values go through their text once (redact-json-text.ts), which gives what the walk
 * over the value (redactJson) gives without copying it; the walk judges what the text pass cannot.
 */
function bodyText(body: unknown, known: readonly string[]): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (isJsonValue(body)) {
    const fast = redactJsonText(JSON.stringify(body), known, { stringified: true });
    if (fast !== undefined) return truncate(fast, limits.requestLogBodyCharsMax);
  }
  return truncate(JSON.stringify(redactJson(body, known)), limits.requestLogBodyCharsMax);
}

/** What a JSON parser returns (a form parser's null-prototype object too): JSON.stringify writes what redactJson walks. */
function isJsonValue(body: unknown): boolean {
  if (typeof body !== 'object') return typeof body === 'string' || typeof body === 'number' || typeof body === 'boolean';
  if (Array.isArray(body)) return true;
  const proto = Object.getPrototypeOf(body);
  return proto === Object.prototype || proto === null;
}

function payloadText(payload: unknown, contentType: string, known: readonly string[]): string | undefined {
  if (payload === undefined || payload === null) return undefined;
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
  if (text === undefined) return `[${contentType || 'streamed'} body not kept]`;
  if (text === '') return undefined;
  if (!/json/i.test(contentType)) return `[${contentType || 'untyped'} body of ${Buffer.byteLength(text)} bytes not kept]`;
  const fast = redactJsonText(text, known);
  if (fast !== undefined) return truncate(fast, limits.requestLogBodyCharsMax);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return '[malformed JSON body not kept]';
  }
  return truncate(JSON.stringify(redactJson(parsed, known)), limits.requestLogBodyCharsMax);
}

/** Cuts text to `max` characters, saying so at the end (the mark fits within `max`). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const mark = ` … [truncated: ${text.length} characters]`;
  return text.slice(0, Math.max(0, max - mark.length)) + mark;
}
