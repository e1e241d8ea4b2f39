/**
 * The error statuses a route can answer whatever it does, added to every route's response schema
 * so /openapi.json declares every status a client can get (issue 17; the fuzzer fails on an
 * undeclared one). What a route declares itself wins. In the route family's error shape (v2 body
 * on /v2 and /sandbox/v2 paths, v1 elsewhere):
 *
 * - every route: 400 (a malformed URL, an over-long path id, a bad header), 408 and 431 (the HTTP
 *   parser: a request that took too long, headers too large), 503 (the server is shutting down);
 * - routes with path parameters or only in sandbox mode: 404 (no such object; not in live mode);
 * - routes that can carry a body (POST, PUT, PATCH, DELETE): 413 (too large), 415 (not UTF-8 JSON);
 * - routes that change something (POST, PUT, PATCH, DELETE, or that declare Klarna-Idempotency-Key):
 *   409 (the key is in use or was used for another request; a concurrent change won every retry);
 * - routes behind HTTP Basic: 401 (credentials) and 429 (too many failed sign-ins).
 */
import type { TSchema } from '@sinclair/typebox';
import { errorShapeFor } from './errors.js';
import { V1Error, V2Error } from './schemas.js';

export interface RouteTraits {
  method: string;
  url: string;
  authenticated: boolean;
  sandboxOnly: boolean;
  idempotent: boolean;
}

export function commonErrorStatuses(route: RouteTraits): number[] {
  const statuses = [400, 408, 431, 503];
  if (route.url.includes(':') || route.sandboxOnly) statuses.push(404);
  const mutating = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method);
  if (mutating) statuses.push(413, 415);
  // Every command runs through runCommand (command.ts), which honours the key whether or not the
  // route's schema names it: found by the fuzzer on the merchant notification route.
  if (route.idempotent || mutating) statuses.push(409);
  if (route.authenticated) statuses.push(401, 429);
  return statuses.sort((a, b) => a - b);
}

/** The route's response schemas with the common error statuses it does not declare itself. */
export function withCommonResponses(route: RouteTraits, declared: Record<string, unknown> | undefined): Record<string, unknown> {
  const error: TSchema = errorShapeFor(route.url) === 'v2' ? V2Error : V1Error;
  const added = Object.fromEntries(commonErrorStatuses(route).map((s) => [s, error]));
  return { ...added, ...declared };
}
