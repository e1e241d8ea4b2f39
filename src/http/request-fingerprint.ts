/**
 * What an idempotency record remembers about the request it answered: a SHA-256 of the method, the
 * route pattern, the path (with any query) and the body in canonical JSON (object keys sorted), so
 * the same request sent again — even with its keys in another order or other whitespace — matches,
 * and anything else sent under the same `Klarna-Idempotency-Key` does not.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export function requestFingerprint(request: FastifyRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([request.method, request.routeOptions.url ?? '', request.url, canonicalJson(request.body)]))
    .digest('base64url');
}

/** JSON with every object's keys sorted, so two encodings of one value give one string. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
