/**
 * The merchant role's outbound HTTP port. The default sends real requests with fetch; tests swap
 * in wrappers that inject faults (timeouts, 5xx) or crash the process at a chosen call. Nothing
 * here logs: headers carry credentials.
 */
import type { OutboundPolicy } from '../../domain/outbound/outbound-url.js';
import { sendGuarded } from '../../outbound/guarded-http.js';
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpClient {
  /** Resolves with any HTTP status; rejects on network errors and timeouts. */
  send(request: HttpRequest): Promise<HttpResponse>;
}

/**
 * Real requests under the outbound rule (src/outbound/guarded-http.ts): a connection URL stored
 * before the rule existed, or a name that now resolves somewhere forbidden, is refused at connect.
 */
export function guardedHttpClient(policy: OutboundPolicy): HttpClient {
  return { send: (request) => sendGuarded(request, policy) };
}
