/**
 * Shared TypeBox pieces for route schemas (validation, serialization and OpenAPI from one source).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { limits } from '../domain/limits.js';

export const V1Error = Type.Object(
  {
    error_code: Type.String(),
    error_messages: Type.Array(Type.String()),
    correlation_id: Type.String(),
  },
  { $id: undefined, description: 'Klarna v1 error body' },
);

export const V2Error = Type.Object(
  {
    error_id: Type.String(),
    error_type: Type.String(),
    error_code: Type.String(),
    error_message: Type.String(),
    errors: Type.Array(Type.Object({ parameter: Type.String(), error_message: Type.String() })),
  },
  { description: 'Klarna v2 error body' },
);

/** Response map with the v1 error body for each listed status. */
export function v1Errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, V1Error]));
}

export function v2Errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, V2Error]));
}

export const Empty = Type.Null({ description: 'No content' });

/** An id in a path: bounded length, printable ASCII. */
export const PathId = Type.String({ minLength: 1, maxLength: limits.idLengthMax, pattern: '^[\\x21-\\x7e]+$' });

export const IdempotencyHeader = Type.Object({
  'klarna-idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: limits.idempotencyKeyLengthMax })),
});
