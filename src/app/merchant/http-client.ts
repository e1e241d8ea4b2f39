/**
 * The merchant role's outbound HTTP port. The default sends real requests with fetch; tests swap
 * in wrappers that inject faults (timeouts, 5xx) or crash the process at a chosen call. Nothing
 * here logs: headers carry credentials.
 */
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

export const fetchHttpClient: HttpClient = {
  async send(request) {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const body = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
    return { status: response.status, headers, body };
  },
};
