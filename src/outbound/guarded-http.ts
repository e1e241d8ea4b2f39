/**
 * Every request Kassa sends (webhook and callback deliveries, the merchant role's provider calls)
 * goes through here. The URL is judged again by the outbound rule (src/domain/outbound/
 * outbound-url.ts) — it may have been stored before the rule existed — and a host name is
 * resolved, every address it resolves to is judged, and the connection is made to the address
 * that was judged: the `lookup` hook hands Node's socket exactly that address, so a name whose
 * DNS answer changes between the check and the connect (DNS rebinding) cannot reach a forbidden
 * address. Kassa's own public origin is not judged (the operator chose it). Redirects are never
 * followed (a 3xx is just an answer). The response body is read up to outboundResponseBytesMax, or
 * drained unread when only the status matters.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isRejection } from '../domain/errors.js';
import { limits } from '../domain/limits.js';
import { checkOutboundUrl, classifyAddress, refusalOf, type OutboundPolicy } from '../domain/outbound/outbound-url.js';

export interface OutboundRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Only the status is wanted (a webhook delivery): the answer's body is drained unread, whatever its size. */
  discardBody?: boolean;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Name resolution (tests pass a fake one: no test resolves or reaches a real outside address). */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The outbound rule refused the target; nothing was sent. */
export class OutboundRefused extends Error {
  override name = 'OutboundRefused';
}

// Keep-alive pools: a pooled socket was connected to an address that was judged when it opened.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export function sendGuarded(request: OutboundRequest, policy: OutboundPolicy, resolve: Resolve = systemResolve): Promise<OutboundResponse> {
  const checked = checkOutboundUrl(request.url, policy, 'url');
  if (isRejection(checked)) return Promise.reject(new OutboundRefused(checked.messages[0]));
  const { url, trusted } = checked;

  const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolve(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw new OutboundRefused(`${hostname} did not resolve`);
        if (!trusted) {
          for (const a of addresses) {
            const why = refusalOf(classifyAddress(a.address) ?? 'reserved', url.protocol, policy);
            if (why) throw new OutboundRefused(`${hostname} resolves to ${a.address}: ${why}`);
          }
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      })
      .catch((error: unknown) => callback(error));
  }) as unknown as LookupFunction;

  return new Promise<OutboundResponse>((resolvePromise, rejectPromise) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: request.method,
        headers: request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup,
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        signal: AbortSignal.timeout(request.timeoutMs),
      },
      (res) => {
        res.on('error', rejectPromise);
        if (request.discardBody) {
          res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: flatten(res.headers), body: '' }));
          res.resume();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.outboundResponseBytesMax) req.destroy(new Error(`response body over ${limits.outboundResponseBytesMax} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: flatten(res.headers), body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', rejectPromise);
    req.end(request.body);
  });
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
