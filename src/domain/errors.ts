/**
 * The one catalogue of error codes. Each stable code maps to the HTTP status, the `error_code`
 * Klarna puts in its v1 body, the v2 `error_type`/`error_code`, and whether a retry can help.
 * Domain code returns `Rejection`s naming a code; the HTTP layer (src/http/errors.ts) is the one
 * place that turns them into responses. Reference: ../shared/reference/klarna-api.md §1, §2, §5.
 */

export type V2ErrorType = 'ACCESS_ERROR' | 'INPUT_ERROR' | 'RESOURCE_ERROR' | 'TECHNICAL_ERROR';

export interface ErrorSpec {
  readonly status: number;
  /** `error_code` in the v1 body (several codes may share one, e.g. 400 and 409 BAD_VALUE). */
  readonly v1Code: string;
  readonly v2Type: V2ErrorType;
  readonly v2Code: string;
  readonly message: string;
  readonly retryable: boolean;
}

function spec(status: number, v1Code: string, message: string, v2Code = v1Code, retryable = false): ErrorSpec {
  const v2Type: V2ErrorType =
    status >= 500 ? 'TECHNICAL_ERROR' : status === 401 || status === 403 ? 'ACCESS_ERROR' : status === 400 || status === 413 || status === 415 || status === 422 ? 'INPUT_ERROR' : 'RESOURCE_ERROR';
  return Object.freeze({ status, v1Code, v2Type, v2Code, message, retryable });
}

export const errorCatalogue = {
  // Generic request problems
  BAD_REQUEST: spec(400, 'BAD_REQUEST', 'Bad request', 'VALIDATION_ERROR'),
  BAD_VALUE: spec(400, 'BAD_VALUE', 'Bad value', 'VALIDATION_ERROR'),
  UNAUTHORIZED: spec(401, 'UNAUTHORIZED', 'Unauthorized', 'UNAUTHORIZED'),
  FORBIDDEN: spec(403, 'FORBIDDEN', 'Forbidden', 'FORBIDDEN'),
  REQUEST_TOO_LARGE: spec(413, 'REQUEST_TOO_LARGE', 'Request body too large', 'VALIDATION_ERROR'),
  UNSUPPORTED_MEDIA_TYPE: spec(415, 'BAD_REQUEST', 'Unsupported content type', 'VALIDATION_ERROR'),
  METHOD_NOT_ALLOWED: spec(405, 'NOT_FOUND', 'Method not allowed', 'NOT_FOUND'),
  ROUTE_NOT_FOUND: spec(404, 'NOT_FOUND', 'Resource not found', 'NOT_FOUND'),
  IDEMPOTENCY_IN_FLIGHT: spec(409, 'CONFLICT', 'A request with this Klarna-Idempotency-Key is still being processed', 'CONFLICT', true),
  IDEMPOTENCY_KEY_REUSED: spec(409, 'CONFLICT', 'Klarna-Idempotency-Key was already used for a different request', 'CONFLICT'),
  CONFLICT: spec(409, 'CONFLICT', 'The object was changed by a concurrent request; retry', 'CONFLICT', true),
  RATE_LIMITED: spec(429, 'TOO_MANY_REQUESTS', 'Too many requests', 'RATE_LIMITED', true),
  INTERNAL_SERVER_ERROR: spec(500, 'INTERNAL_SERVER_ERROR', 'Internal server error', 'INTERNAL_ERROR', true),
  // The database could not be reached (e.g. PostgreSQL restarting): nothing was done, retry.
  TEMPORARILY_UNAVAILABLE: spec(503, 'TEMPORARILY_UNAVAILABLE', 'Service temporarily unavailable; retry shortly', 'TEMPORARILY_UNAVAILABLE', true),

  // Payments v1
  NOT_FOUND: spec(404, 'NOT_FOUND', 'Not found', 'NOT_FOUND'),
  SESSION_COMPLETED: spec(404, 'SESSION_COMPLETED', 'Session is completed', 'NOT_FOUND'),
  INVALID_OPERATION: spec(403, 'INVALID_OPERATION', 'Invalid operation', 'NOT_ALLOWED'),
  MERCHANT_INACTIVE: spec(403, 'MERCHANT_INACTIVE', 'Merchant inactive', 'FORBIDDEN'),
  REJECTED: spec(403, 'REJECTED', 'The purchase was rejected', 'DECLINED'),
  NOT_MATCHING: spec(409, 'BAD_VALUE', 'Not matching fields', 'CONFLICT'),

  // Order Management v1
  NO_SUCH_ORDER: spec(404, 'NO_SUCH_ORDER', 'No such order', 'NOT_FOUND'),
  NO_SUCH_CAPTURE: spec(404, 'NO_SUCH_CAPTURE', 'No such capture', 'NOT_FOUND'),
  NOT_ALLOWED: spec(403, 'NOT_ALLOWED', 'Not allowed', 'NOT_ALLOWED'),
  CAPTURE_NOT_ALLOWED: spec(403, 'CAPTURE_NOT_ALLOWED', 'Capture not allowed', 'NOT_ALLOWED'),
  REFUND_NOT_ALLOWED: spec(403, 'REFUND_NOT_ALLOWED', 'Refund not allowed', 'NOT_ALLOWED'),
  CANCEL_NOT_ALLOWED: spec(403, 'CANCEL_NOT_ALLOWED', 'Cancel not allowed', 'NOT_ALLOWED'),

  // Customer Token v1 (Klarna documents a 403 for a token that cannot be charged, without naming a code)
  CUSTOMER_TOKEN_NOT_ACTIVE: spec(403, 'CUSTOMER_TOKEN_NOT_ACTIVE', 'The customer token is not active', 'NOT_ALLOWED'),
  // v2 payment requests, payment tokens and notifications (reference §4)
  PAYMENT_REQUEST_STATE: spec(409, 'NOT_ALLOWED', 'Not allowed in the payment request\'s current state', 'INVALID_STATE'),
  PAYMENT_TOKEN_INVALID: spec(400, 'BAD_VALUE', 'Invalid token', 'INVALID_TOKEN'),
  PAYMENT_TOKEN_EXPIRED: spec(400, 'BAD_VALUE', 'The token has expired', 'TOKEN_EXPIRED'),
  PAYMENT_TOKEN_USED: spec(409, 'INVALID_OPERATION', 'The token was already used', 'TOKEN_ALREADY_USED'),
  LIMIT_EXCEEDED: spec(409, 'NOT_ALLOWED', 'Limit reached', 'LIMIT_EXCEEDED'),
  RESOURCE_IN_USE: spec(409, 'NOT_ALLOWED', 'The resource is in use', 'RESOURCE_IN_USE'),
  DELIVERY_STATE: spec(409, 'NOT_ALLOWED', 'Not allowed in the delivery\'s current state', 'INVALID_STATE'),
  // Merchant role (/merchant/v1)
  MERCHANT_ORDER_BUSY: spec(409, 'CONFLICT', 'Another step of this order is still running; retry shortly', 'CONFLICT', true),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalogue;

/** A rule the caller broke: returned by domain code, never thrown from it. */
export interface Rejection {
  readonly rejected: true;
  readonly code: ErrorCode;
  readonly messages: readonly string[];
  /** Extra fields some endpoints add to the error body (e.g. customer-token orders' `fraud_status`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export function reject(code: ErrorCode, ...messages: string[]): Rejection {
  return Object.freeze({ rejected: true as const, code, messages: messages.length ? messages : [errorCatalogue[code].message] });
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && (value as Rejection).rejected === true;
}

/** The exception form of a Rejection, for the application and HTTP layers. */
export class KassaError extends Error {
  override name = 'KassaError';
  readonly code: ErrorCode;
  readonly messages: readonly string[];
  readonly extra?: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, messages?: readonly string[], extra?: Readonly<Record<string, unknown>>) {
    const list = messages && messages.length ? messages : [errorCatalogue[code].message];
    super(`${code}: ${list.join('; ')}`);
    this.code = code;
    this.messages = list;
    this.extra = extra;
  }
  static from(rejection: Rejection): KassaError {
    return new KassaError(rejection.code, rejection.messages, rejection.extra);
  }
  get spec(): ErrorSpec {
    return errorCatalogue[this.code];
  }
}

/** Unwraps a decide() result: a Rejection becomes a thrown KassaError. */
export function orThrow<T>(result: T | Rejection): T {
  if (isRejection(result)) throw KassaError.from(result);
  return result;
}

/** Throws the Rejection, if there is one (for checks that return Rejection | undefined). */
export function throwIfRejected(rejection: Rejection | undefined): void {
  if (rejection) throw KassaError.from(rejection);
}
