/**
 * Delivers outbox rows (webhooks, notification callbacks) at least once. Rows are claimed with a
 * lease so no two loops or nodes send one row at the same time; each attempt is logged
 * (status, latency) and either ends the row (delivered) or schedules the next try on the
 * account's clock (retry-policy.ts) until the retry window closes (failed). The event id, body and
 * signature are fixed when the row is written, so every attempt carries the same `event_id`.
 */
import type { Logger } from 'pino';
import type { Engine } from '../app/engine.js';
import { limits } from '../domain/limits.js';
import { observeDelivery } from '../metrics/metrics.js';
import type { AccountRecord, OutboxRecord } from '../store/port.js';
import { isDeliverySuccess, nextAttemptAt } from './retry-policy.js';
import type { OutboundPolicy } from '../domain/outbound/outbound-url.js';
import { sendGuarded } from '../outbound/guarded-http.js';

export interface Transport {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number }>;
}

/** Sends over HTTP(S) under the outbound rule, judged again on the resolved address (guarded-http.ts). */
export function guardedTransport(policy: OutboundPolicy): Transport {
  return {
    async post(url, headers, body, timeoutMs) {
      return { status: (await sendGuarded({ method: 'POST', url, headers, body, timeoutMs, discardBody: true }, policy)).status };
    },
  };
}

const leaseMs = limits.webhookTimeoutMs * 2;

export class OutboxDispatcher {
  private interval?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
    private readonly transport: Transport,
  ) {}

  /** Sends everything of this account that is due now; repeats until nothing due is left. */
  async drain(account: AccountRecord): Promise<number> {
    let sent = 0;
    for (;;) {
      const fresh = (await this.engine.store.getAccount(account.id)) ?? account;
      const rows = await this.engine.store.claimOutbox(fresh.id, this.engine.accountNow(fresh), limits.outboxBatchSize, {
        realNow: this.engine.clock.now(),
        leaseMs,
      });
      if (rows.length === 0) return sent;
      await Promise.all(rows.map((row) => this.attempt(fresh, row)));
      sent += rows.length;
    }
  }

  private async attempt(account: AccountRecord, row: OutboxRecord): Promise<void> {
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = (await this.transport.post(row.url, { 'content-type': 'application/json', ...row.headers }, row.body, limits.webhookTimeoutMs)).status;
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 500) : 'delivery failed';
    }
    const latencyMs = Math.round(performance.now() - started);
    const fresh = (await this.engine.store.getAccount(account.id)) ?? account;
    const now = this.engine.accountNow(fresh);
    const attempt = row.attempts + 1;
    const ok = statusCode !== null && isDeliverySuccess(statusCode);
    const retryAt = ok ? undefined : nextAttemptAt(row.createdAt, attempt, now, this.engine.random.fraction());
    const status = ok ? 'delivered' : retryAt === undefined ? 'failed' : 'pending';
    await this.engine.store.recordAttempt({ outboxId: row.id, attempt, at: now, statusCode, error, latencyMs }, { status, nextAttemptAt: retryAt ?? now });
    observeDelivery(ok ? 'delivered' : status === 'failed' ? 'failed' : 'retry', latencyMs);
    this.logger[ok ? 'debug' : 'info'](
      { outboxId: row.id, eventId: row.eventId, eventType: row.eventType, attempt, statusCode, error, latencyMs, status },
      ok ? 'delivered' : 'delivery failed',
    );
  }

  start(intervalMs: number): void {
    this.interval = setInterval(() => this.kick(), intervalMs);
    this.interval.unref();
  }

  /** Starts a pass over all accounts unless one is running. */
  kick(): void {
    if (this.running) return;
    this.running = this.pollAll()
      .catch((error) => this.logger.error({ err: error }, 'outbox poll failed'))
      .finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    await this.running;
  }

  async pollAll(): Promise<void> {
    for (const account of await this.engine.store.listAccounts()) await this.drain(account);
  }
}
