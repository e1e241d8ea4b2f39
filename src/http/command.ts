/**
 * Runs a mutating request as one engine command and sends its response, honouring
 * `Klarna-Idempotency-Key` (reference §5): the key is scoped to the account; the first successful
 * response is committed in the same transaction as the command's effects and replayed byte for byte
 * on every repeat for at least 24 h, without a second effect. The same key while the first request
 * is still running answers 409. Rejections (4xx) are not stored, because they changed nothing: a
 * retry runs again. A key reused for a different request — another operation, another object, or
 * the same operation with another body — is refused with 409 CONFLICT, never answered with the
 * first request's response (request-fingerprint.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UnitOfWork } from '../app/unit-of-work.js';
import { KassaError } from '../domain/errors.js';
import { limits } from '../domain/limits.js';
import { DuplicateKey, type IdempotencyRecord } from '../store/port.js';
import type { AppDeps } from './deps.js';
import { requestFingerprint } from './request-fingerprint.js';

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Work to do once the command is durable and before answering (e.g. firing the timers a clock
   * advance made due). Not run on an idempotent replay: by then it was done, or the workers do it.
   */
  afterCommit?: () => Promise<void>;
}

const inFlight = new Set<string>();

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers['klarna-idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > limits.idempotencyKeyLengthMax || !/^[\x21-\x7e]+$/.test(key)) {
    throw new KassaError('BAD_VALUE', ['Bad value: Klarna-Idempotency-Key (1–255 visible ASCII characters)']);
  }
  return key;
}

export async function runCommand(
  deps: AppDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  command: (uow: UnitOfWork) => Promise<HttpResult>,
): Promise<FastifyReply> {
  const account = request.account;
  const key = idempotencyKeyOf(request);
  if (key === undefined) {
    const result = await deps.engine.execute(account, request.correlationId, command);
    if (result.afterCommit) await result.afterCommit();
    return send(reply, result.status, result.headers, serialize(result.body));
  }

  const scope = `${request.method} ${request.routeOptions.url ?? request.url}`;
  const requestHash = requestFingerprint(request);
  const stored = await deps.engine.store.getIdempotency(account.id, key);
  if (stored) return replay(reply, stored, key, scope, requestHash);
  const slot = `${account.id}\u0000${key}`;
  if (inFlight.has(slot)) throw new KassaError('IDEMPOTENCY_IN_FLIGHT');
  inFlight.add(slot);
  try {
    let body = '';
    const result = await deps.engine.execute(account, request.correlationId, command, {
      idempotency: (r, now): IdempotencyRecord => {
        body = serialize(r.body);
        return { accountId: account.id, key, scope, requestHash, statusCode: r.status, headers: r.headers ?? {}, body, createdAt: now };
      },
    });
    if (result.afterCommit) await result.afterCommit();
    return send(reply, result.status, result.headers, body);
  } catch (error) {
    // Another node committed the same key first: answer with its response, never a second effect.
    if (error instanceof DuplicateKey && error.what === 'idempotency') {
      const winner = await deps.engine.store.getIdempotency(account.id, key);
      if (winner) return replay(reply, winner, key, scope, requestHash);
    }
    throw error;
  } finally {
    inFlight.delete(slot);
  }
}

function replay(reply: FastifyReply, stored: IdempotencyRecord, key: string, scope: string, requestHash: string): FastifyReply {
  // Records from before request hashes were stored have none: they replay as they always did.
  if (stored.scope !== scope || (stored.requestHash !== undefined && stored.requestHash !== requestHash)) {
    throw new KassaError('IDEMPOTENCY_KEY_REUSED', [
      `Conflict: Klarna-Idempotency-Key (${JSON.stringify(key)} was already used for a different request; send a new key for a new request)`,
    ]);
  }
  reply.header('Idempotent-Replayed', 'true');
  return send(reply, stored.statusCode, stored.headers, stored.body);
}

function serialize(body: unknown): string {
  return body === undefined ? '' : JSON.stringify(body);
}

function send(reply: FastifyReply, status: number, headers: Record<string, string> | undefined, body: string): FastifyReply {
  reply.code(status);
  if (headers) reply.headers(headers);
  if (body === '') return reply.send();
  return reply.type('application/json; charset=utf-8').send(body);
}
