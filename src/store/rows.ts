/**
 * Rows as both adapters read them (column names are the same in SQLite and PostgreSQL) turned
 * into the store port's records. SQLite returns integers and 0/1 booleans, PostgreSQL numbers
 * (BIGINT parsed in postgres-store.ts) and booleans; each reader accepts both.
 */
import type { AccountRecord, AggregateRecord, DeliveryAttempt, EventRecord, IdempotencyRecord, OutboxRecord, OutboxStatus, RequestLogRecord, TimerRecord } from './port.js';

type Row = Record<string, unknown>;

export function toAccount(r: Row | undefined): AccountRecord | undefined {
  if (!r) return undefined;
  return {
    id: r.id as string,
    username: r.username as string,
    secretHash: r.secret_hash as string,
    createdAt: Number(r.created_at),
    clockOffsetMs: Number(r.clock_offset_ms),
    isDefault: r.is_default === 1 || r.is_default === true,
  };
}

export function toAggregate<T>(r: Row | undefined): AggregateRecord<T> | undefined {
  if (!r) return undefined;
  return {
    accountId: r.account_id as string,
    type: r.type as string,
    id: r.id as string,
    version: Number(r.version),
    state: JSON.parse(r.state as string) as T,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toEvent(r: Row): EventRecord {
  return {
    seq: Number(r.seq),
    accountId: r.account_id as string,
    aggregateType: r.aggregate_type as string,
    aggregateId: r.aggregate_id as string,
    type: r.type as string,
    data: JSON.parse(r.data as string),
    occurredAt: Number(r.occurred_at),
    ...(r.correlation_id == null ? {} : { correlationId: r.correlation_id as string }),
  };
}

export function toTimer(r: Row): TimerRecord {
  return {
    id: r.id as string,
    accountId: r.account_id as string,
    dueAt: Number(r.due_at),
    kind: r.kind as string,
    aggregateType: r.aggregate_type as string,
    aggregateId: r.aggregate_id as string,
    payload: JSON.parse(r.payload as string),
  };
}

export function toOutbox(r: Row): OutboxRecord {
  return {
    id: r.id as string,
    accountId: r.account_id as string,
    kind: r.kind as string,
    eventId: r.event_id as string,
    eventType: r.event_type as string,
    url: r.url as string,
    headers: JSON.parse(r.headers as string),
    body: r.body as string,
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    createdAt: Number(r.created_at),
    ref: (r.ref as string | null) ?? undefined,
  };
}

export function toAttempt(r: Row): DeliveryAttempt {
  return {
    outboxId: r.outbox_id as string,
    attempt: Number(r.attempt),
    at: Number(r.at),
    statusCode: r.status_code === null ? null : Number(r.status_code),
    error: (r.error as string | null) ?? null,
    latencyMs: Number(r.latency_ms),
  };
}

export function toIdempotency(r: Row): IdempotencyRecord {
  return {
    accountId: r.account_id as string,
    key: r.key as string,
    scope: r.scope as string,
    statusCode: Number(r.status_code),
    headers: JSON.parse(r.headers as string),
    body: r.body as string,
    createdAt: Number(r.created_at),
    ...(typeof r.request_hash === 'string' ? { requestHash: r.request_hash } : {}),
  };
}

export function toRequestLog(r: Row): RequestLogRecord {
  return {
    id: r.id as string,
    accountId: r.account_id as string,
    at: Number(r.at),
    method: r.method as string,
    path: r.path as string,
    route: r.route as string,
    statusCode: Number(r.status_code),
    durationMs: Number(r.duration_ms),
    correlationId: r.correlation_id as string,
    ...(r.idempotency_key == null ? {} : { idempotencyKey: r.idempotency_key as string }),
    ...(r.request_body == null ? {} : { requestBody: r.request_body as string }),
    ...(r.response_body == null ? {} : { responseBody: r.response_body as string }),
  };
}
