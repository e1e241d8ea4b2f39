/**
 * The one JSON body parser. Klarna's APIs speak UTF-8 JSON: a body declared in any other charset
 * (`application/json; charset=utf-16`, `latin1`, …) is 415, and bytes that are not valid UTF-8 are
 * 400 — never silently replaced by U+FFFD and stored. Everything else is Fastify's own strict
 * parser (prototype poisoning refused). A route family may treat an empty body as no body
 * (empty-json-body.ts).
 */
import { KassaError } from '../domain/errors.js';
import type { App } from './app.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The charset parameter of a Content-Type, lower-cased and unquoted; undefined when absent. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType ?? '');
  return m ? m[2]!.toLowerCase() : undefined;
}

export function installJsonParser(scope: App, options: { emptyIsNoBody: boolean }): void {
  const strict = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return done(new KassaError('UNSUPPORTED_MEDIA_TYPE', [`Unsupported content type: charset=${charset.slice(0, 40)} (JSON bodies must be UTF-8)`]), undefined);
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(new KassaError('BAD_REQUEST', ['Malformed request body: not valid UTF-8']), undefined);
    }
    if (options.emptyIsNoBody && text.trim() === '') return done(null, undefined);
    return strict(request, text, done);
  });
}
