/**
 * GET /metrics: the process's metrics in Prometheus' text format (src/metrics/metrics.ts), for
 * operators, not merchants — it spans every account. Who may read it:
 *
 * - KASSA_METRICS_TOKEN set: any client presenting `Authorization: Bearer <token>`; a scraper on
 *   another host (the usual Prometheus set-up) needs this.
 * - unset (the default): loopback clients only, without credentials — a Prometheus or a curl on
 *   the same machine just works, and nothing is exposed to the network. Behind a reverse proxy on
 *   the same host every client looks like loopback: set the token there.
 *
 * Anyone else gets 403 (with no token configured) or 401 (wrong or missing token). No merchant
 * credential opens it: a merchant must not see other merchants' traffic, even counted.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { KassaError } from '../../domain/errors.js';
import { registry } from '../../metrics/metrics.js';
import type { App } from '../app.js';
import type { AppDeps } from '../deps.js';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function metricsRoutes(app: App, deps: AppDeps): void {
  const checkAccess = async (request: FastifyRequest, reply: { header(name: string, value: string): unknown }): Promise<void> => {
    const token = deps.config.metricsToken;
    if (token === undefined) {
      if (!isLoopback(request.socket.remoteAddress)) {
        throw new KassaError('FORBIDDEN', ['GET /metrics answers loopback clients only; set KASSA_METRICS_TOKEN to scrape it from elsewhere']);
      }
      return;
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!m || !sameSecret(m[1]!, token)) {
      reply.header('WWW-Authenticate', 'Bearer realm="Kassa metrics"');
      throw new KassaError('UNAUTHORIZED', ['GET /metrics needs Authorization: Bearer <KASSA_METRICS_TOKEN>']);
    }
  };

  app.get('/metrics', { schema: { hide: true }, onRequest: checkAccess }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
}
