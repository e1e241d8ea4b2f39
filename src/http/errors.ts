/**
 * The one place errors become responses. v1 APIs answer Klarna's v1 body
 * `{error_code, error_messages, correlation_id}`; /v2 paths answer the v2 body
 * `{error_id, error_type, error_code, error_message, errors[]}` (reference §5).
 * Fastify's own errors (bad JSON, body too large, schema validation) are mapped to catalogue codes
 * so bad input is always a 4xx that names the field. A database that cannot be reached answers 503
 * TEMPORARILY_UNAVAILABLE with Retry-After. Anything else is a bug: logged, answered 500.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { KassaError, errorCatalogue, type ErrorCode } from '../domain/errors.js';
import { StoreUnavailable } from '../store/port.js';

export type ErrorShape = 'v1' | 'v2';

export function errorShapeFor(url: string): ErrorShape {
  return url.startsWith('/v2/') || url.startsWith('/sandbox/v2/') ? 'v2' : 'v1';
}

export function errorBody(error: KassaError, correlationId: string, shape: ErrorShape): Record<string, unknown> {
  const spec = errorCatalogue[error.code];
  if (shape === 'v2') {
    return {
      error_id: correlationId,
      error_type: spec.v2Type,
      error_code: spec.v2Code,
      error_message: error.messages.join('; '),
      errors: error.messages.map((m) => ({ parameter: parameterOf(m), error_message: m })).filter((e) => e.parameter !== undefined),
      ...error.extra,
    };
  }
  return { error_code: spec.v1Code, error_messages: [...error.messages], correlation_id: correlationId, ...error.extra };
}

/** Messages are "Bad value: field.path (reason)"; the v2 `errors[].parameter` is the path. */
function parameterOf(message: string): string | undefined {
  const m = /^[A-Za-z ]+: ([\w.[\]-]+)/.exec(message);
  return m?.[1];
}

/** Converts AJV's instancePath (/order_lines/0/name) to Klarna's field notation (order_lines[0].name). */
export function fieldPath(instancePath: string, missingProperty?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (missingProperty) parts.push(missingProperty);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || 'body';
}

type ValidationItem = { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string };

export function toKassaError(error: unknown): KassaError | undefined {
  if (error instanceof KassaError) return error;
  const fe = error as FastifyError & { validation?: ValidationItem[]; validationContext?: string };
  if (fe.validation && fe.validation.length > 0) {
    const v = fe.validation[0]!;
    const where = fe.validationContext === 'body' || !fe.validationContext ? '' : `${fe.validationContext}.`;
    if (v.keyword === 'required') return new KassaError('BAD_VALUE', [`Missing value: ${where}${fieldPath(v.instancePath, String(v.params.missingProperty))}`]);
    if (v.keyword === 'additionalProperties') return new KassaError('BAD_VALUE', [`Unknown field: ${where}${fieldPath(v.instancePath, String(v.params.additionalProperty))}`]);
    return new KassaError('BAD_VALUE', [`Bad value: ${where}${fieldPath(v.instancePath)} (${v.message ?? v.keyword})`]);
  }
  const code: ErrorCode | undefined = (
    {
      FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST_TOO_LARGE',
      FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
      FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
      FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
      FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
    } as Record<string, ErrorCode>
  )[fe.code ?? ''];
  if (code) return new KassaError(code, [code === 'BAD_REQUEST' ? `Malformed request body: ${fe.message}` : errorCatalogue[code].message]);
  if (error instanceof SyntaxError || fe.statusCode === 400) return new KassaError('BAD_REQUEST', [`Malformed request: ${fe.message}`]);
  if (fe.statusCode === 413) return new KassaError('REQUEST_TOO_LARGE');
  if (fe.statusCode === 415) return new KassaError('UNSUPPORTED_MEDIA_TYPE');
  if (error instanceof StoreUnavailable) return new KassaError('TEMPORARILY_UNAVAILABLE');
  return undefined;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: KassaError): FastifyReply {
  const body = errorBody(error, request.correlationId, errorShapeFor(request.url));
  return reply.code(error.spec.status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = toKassaError(error);
  if (known?.code === 'TEMPORARILY_UNAVAILABLE') {
    request.log.warn({ err: error }, 'database unavailable');
    reply.header('retry-after', '1');
    return sendError(request, reply, known);
  }
  if (known) {
    request.log.info({ errorCode: known.code, status: known.spec.status }, 'request rejected');
    return sendError(request, reply, known);
  }
  request.log.error({ err: error }, 'unexpected error');
  return sendError(request, reply, new KassaError('INTERNAL_SERVER_ERROR'));
}
