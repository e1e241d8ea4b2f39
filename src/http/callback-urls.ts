/**
 * The merchant_urls Kassa itself calls — `notification` (Order Management notifications,
 * settlement events) and `authorization` (the authorization callback) — follow the rule for every
 * outbound URL (src/domain/outbound/outbound-url.ts) when a session, order or token order stores
 * them. `confirmation` and `push` are not called by Kassa (the first is where the customer's
 * browser is redirected), so they are not judged here.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { isRejection, KassaError } from '../domain/errors.js';
import { checkOutboundUrl, type OutboundPolicy } from '../domain/outbound/outbound-url.js';

const calledByKassa = ['notification', 'authorization'] as const;

export function checkCallbackUrls(body: unknown, policy: OutboundPolicy): void {
  const urls = (body as { merchant_urls?: Record<string, unknown> } | undefined)?.merchant_urls;
  if (!urls) return;
  for (const name of calledByKassa) {
    const raw = urls[name];
    if (typeof raw !== 'string') continue;
    const checked = checkOutboundUrl(raw, policy, `merchant_urls.${name}`);
    if (isRejection(checked)) throw KassaError.from(checked);
  }
}

/**
 * preHandler (runs after the body schema) for routes whose body may carry merchant_urls. It takes
 * `done` rather than being async: no promise per request for a synchronous check (a throw is
 * Fastify's error path either way).
 */
export function callbackUrlsGuard(policy: OutboundPolicy) {
  return function checkMerchantUrls(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    checkCallbackUrls(request.body, policy);
    done();
  };
}
