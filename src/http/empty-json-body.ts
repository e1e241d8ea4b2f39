/**
 * Klarna clients send body-less operations (cancel, acknowledge, extend-authorization-time, …)
 * as POSTs that often still say `Content-Type: application/json` with an empty body. Fastify's
 * default JSON parser refuses those (400). Inside one route family's scope this swaps in the JSON
 * parser (json-body.ts: UTF-8 only, strict) that treats an empty body as "no body".
 */
import type { App } from './app.js';
import { installJsonParser } from './json-body.js';

export function allowEmptyJsonBody(scope: App): void {
  installJsonParser(scope, { emptyIsNoBody: true });
}
