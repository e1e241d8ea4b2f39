/**
 * The merchant role's outbound HTTP, sent into the app itself (`app.inject`): requests to
 * KASSA_PUBLIC_URL (the merchant role's default connection, "this Kassa") reach this Kassa's
 * provider routes without a socket; any other URL — a connection a test or the fuzzer configured —
 * fails like an unreachable host. Reliability tests use it so merchant orders are real and no test
 * ever sends a request off the machine.
 */
import type { HttpClient } from '../../../src/app/merchant/http-client.js';
import type { Kassa } from '../../../src/kassa.js';

export function inProcessHttp(kassa: Pick<Kassa, 'app' | 'deps'>): HttpClient {
  const origin = new URL(kassa.deps.config.publicUrl).origin;
  return {
    async send(request) {
      const url = new URL(request.url);
      if (url.origin !== origin) throw new TypeError(`fetch failed: ${url.origin} is not reachable from this test`);
      const res = await kassa.app.inject({ method: request.method, url: url.pathname + url.search, headers: request.headers, payload: request.body });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name.toLowerCase()] = String(value);
      return { status: res.statusCode, headers, body: res.body };
    },
  };
}
