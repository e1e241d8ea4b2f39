/**
 * Klarna clients send body-less operations (cancel, acknowledge, extend-authorization-time, …)
 * as POSTs that often still say `Content-Type: application/json` with an empty body. Fastify's
 * default JSON parser refuses those (400). Inside one route family's scope this swaps in a parser
 * that treats an empty body as "no body" and otherwise is Fastify's own strict parser (prototype
 * poisoning refused).
 */
import type { App } from './app.js';

export function allowEmptyJsonBody(scope: App): void {
  const strict = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined);
    return strict(request, body as string, done);
  });
}
