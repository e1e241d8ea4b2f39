/**
 * A Klarna client for the merchant role: Payments v1 and Order Management v1 over HTTP with Basic
 * credentials, against any Klarna-compatible base URL (Kassa's own provider role by default).
 * Every mutating call carries `Klarna-Idempotency-Key` (the step id, the same on every retry).
 *
 * Each call ends in one of three results, and nothing else is assumed:
 * - ok: 2xx with a readable body;
 * - rejected: a definitive 4xx (the provider changed nothing), with its error_code/messages;
 * - unknown: timeout, network error, 408/425/429, 5xx, 409 CONFLICT (a request with that key is
 *   still in flight), or an unreadable 2xx. The caller reads the order back before retrying.
 */
import type { ProviderOrderSnapshot } from '../../domain/merchant-order/decide-outcome.js';
import type { HttpClient, HttpRequest } from './http-client.js';

export interface ConnectionCredentials {
  base_url: string;
  username: string;
  password: string;
}

export type CallResult<T> =
  | { kind: 'ok'; status: number; data: T; correlationId?: string }
  | { kind: 'rejected'; status: number; errorCode?: string; errorMessages?: string[]; correlationId?: string }
  | { kind: 'unknown'; reason: string; status?: number; correlationId?: string };

type Body = Record<string, unknown>;

/**
 * A request that cannot be expressed — an id for the path that is not well-formed text (a lone
 * surrogate) — so nothing was sent. The step fails definitively instead of throwing out of the
 * timer that runs it (which would fail every later clock advance of the account).
 */
export class RequestNotSent extends Error {
  override name = 'RequestNotSent';
}

export class KlarnaClient {
  private readonly base: string;
  private readonly authorization: string;

  constructor(
    connection: ConnectionCredentials,
    private readonly http: HttpClient,
    private readonly timeoutMs: number,
  ) {
    this.base = connection.base_url.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${connection.username}:${connection.password}`).toString('base64')}`;
  }

  createSession(body: Body, key: string) {
    return this.call('POST', '/payments/v1/sessions', body, key, (json) => ({
      session_id: str(json.session_id),
      client_token: str(json.client_token),
      payment_method_categories: Array.isArray(json.payment_method_categories) ? json.payment_method_categories : [],
    }));
  }

  readSession(sessionId: string) {
    return this.call('GET', `/payments/v1/sessions/${enc(sessionId)}`, undefined, undefined, (json) => ({
      status: str(json.status),
      expires_at_ms: typeof json.expires_at === 'string' ? Date.parse(json.expires_at) : undefined,
    }));
  }

  createOrder(authorizationToken: string, body: Body, key: string) {
    return this.call('POST', `/payments/v1/authorizations/${enc(authorizationToken)}/order`, body, key, (json) => ({
      order_id: str(json.order_id),
      fraud_status: str(json.fraud_status) || 'ACCEPTED',
    }));
  }

  readOrder(orderId: string) {
    return this.call('GET', `/ordermanagement/v1/orders/${enc(orderId)}`, undefined, undefined, toSnapshot);
  }

  cancelOrder(orderId: string, key: string) {
    return this.call('POST', `/ordermanagement/v1/orders/${enc(orderId)}/cancel`, undefined, key, () => ({}));
  }

  capture(orderId: string, body: Body, key: string) {
    return this.call('POST', `/ordermanagement/v1/orders/${enc(orderId)}/captures`, body, key, (_json, headers) => ({
      capture_id: headers['capture-id'] ?? lastSegment(headers.location),
    }));
  }

  readCapture(orderId: string, captureId: string) {
    return this.call('GET', `/ordermanagement/v1/orders/${enc(orderId)}/captures/${enc(captureId)}`, undefined, undefined, (json) => ({ capture_id: str(json.capture_id) }));
  }

  updateAuthorization(orderId: string, body: Body, key: string) {
    return this.call('PATCH', `/ordermanagement/v1/orders/${enc(orderId)}/authorization`, body, key, () => ({}));
  }

  extendAuthorization(orderId: string, key: string) {
    return this.call('POST', `/ordermanagement/v1/orders/${enc(orderId)}/extend-authorization-time`, undefined, key, () => ({}));
  }

  releaseRemaining(orderId: string, key: string) {
    return this.call('POST', `/ordermanagement/v1/orders/${enc(orderId)}/release-remaining-authorization`, undefined, key, () => ({}));
  }

  addShippingInfo(orderId: string, body: Body, key: string) {
    return this.call('POST', `/ordermanagement/v1/orders/${enc(orderId)}/shipping-info`, body, key, () => ({}));
  }

  refund(orderId: string, body: Body, key: string) {
    return this.call('POST', `/ordermanagement/v1/orders/${enc(orderId)}/refunds`, body, key, (_json, headers) => ({
      refund_id: headers['refund-id'] ?? lastSegment(headers.location),
    }));
  }

  readRefund(orderId: string, refundId: string) {
    return this.call('GET', `/ordermanagement/v1/orders/${enc(orderId)}/refunds/${enc(refundId)}`, undefined, undefined, (json) => ({ refund_id: str(json.refund_id) }));
  }

  /**
   * Kassa's own extension (sandbox helpers): the provider-side settlement of a capture. Another
   * provider answers 404, and the merchant role then relies on notifications alone.
   */
  readSettlement(orderId: string, captureId: string) {
    return this.call('GET', `/sandbox/v1/orders/${enc(orderId)}/captures/${enc(captureId)}/settlement`, undefined, undefined, (json) => ({ status: str(json.status) }));
  }

  private async call<T>(
    method: HttpRequest['method'],
    path: string,
    body: Body | undefined,
    idempotencyKey: string | undefined,
    parse: (json: Record<string, unknown>, headers: Record<string, string>) => T,
  ): Promise<CallResult<T>> {
    const headers: Record<string, string> = { authorization: this.authorization, accept: 'application/json', 'user-agent': 'Kassa-merchant-role/0.1' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['klarna-idempotency-key'] = idempotencyKey;
    let response;
    try {
      response = await this.http.send({ method, url: this.base + path, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: this.timeoutMs });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const reason = name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${this.timeoutMs} ms` : `network error (${name}${error instanceof Error && error.message ? `: ${error.message}` : ''})`;
      return { kind: 'unknown', reason: reason.slice(0, 300) };
    }
    const correlationId = response.headers['klarna-correlation-id'];
    const json = parseJson(response.body);
    const status = response.status;
    if (status >= 200 && status < 300) {
      if (json === undefined) return { kind: 'unknown', status, correlationId, reason: `unreadable ${status} response body` };
      try {
        return { kind: 'ok', status, data: parse(json, response.headers), correlationId };
      } catch {
        return { kind: 'unknown', status, correlationId, reason: `unexpected ${status} response body` };
      }
    }
    const errorCode = typeof json?.error_code === 'string' ? json.error_code : undefined;
    const errorMessages = Array.isArray(json?.error_messages) ? json.error_messages.filter((m): m is string => typeof m === 'string') : undefined;
    if (status === 408 || status === 425 || status === 429 || status >= 500 || (status === 409 && errorCode === 'CONFLICT')) {
      return { kind: 'unknown', status, correlationId, reason: `HTTP ${status}${errorCode ? ` ${errorCode}` : ''}` };
    }
    return { kind: 'rejected', status, errorCode: errorCode ?? `HTTP_${status}`, errorMessages, correlationId };
  }
}

function enc(id: string): string {
  try {
    return encodeURIComponent(id);
  } catch {
    throw new RequestNotSent('An id in the request path is not well-formed text; the request was not sent');
  }
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function int(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : 0;
}

function lastSegment(location: string | undefined): string {
  if (!location) return '';
  return decodeURIComponent(location.replace(/\/+$/, '').split('/').pop() ?? '');
}

/** An empty body reads as {} (204 answers); anything else must be a JSON object. */
function parseJson(body: string): Record<string, unknown> | undefined {
  if (body.trim() === '') return {};
  try {
    const v = JSON.parse(body) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toSnapshot(json: Record<string, unknown>): ProviderOrderSnapshot {
  if (typeof json.order_id !== 'string' || typeof json.status !== 'string') throw new Error('not an order');
  const list = (v: unknown) => (Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as Record<string, unknown>[]) : []);
  return {
    order_id: json.order_id,
    status: json.status,
    fraud_status: str(json.fraud_status) || 'ACCEPTED',
    order_amount: int(json.order_amount),
    captured_amount: int(json.captured_amount),
    refunded_amount: int(json.refunded_amount),
    remaining_authorized_amount: int(json.remaining_authorized_amount),
    ...(typeof json.expires_at === 'string' ? { expires_at: json.expires_at } : {}),
    captures: list(json.captures).map((c) => ({ capture_id: str(c.capture_id), ...(typeof c.reference === 'string' ? { reference: c.reference } : {}), captured_amount: int(c.captured_amount) })),
    refunds: list(json.refunds).map((r) => ({ refund_id: str(r.refund_id), ...(typeof r.reference === 'string' ? { reference: r.reference } : {}), refunded_amount: int(r.refunded_amount) })),
  };
}
