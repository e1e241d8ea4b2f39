/**
 * Builds the Fastify app from its dependencies. One correlation id per request (echoed in
 * `Klarna-Correlation-Id` and in every error body), one error handler, strict JSON parsing (no type
 * coercion, prototype-poisoned bodies refused), a body size limit, and the OpenAPI document
 * generated from the same TypeBox schemas that validate requests.
 */
import fastifySwagger from '@fastify/swagger';
import { STATUS_CODES } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { KassaError } from '../domain/errors.js';
import { limits } from '../domain/limits.js';
import type { AppDeps } from './deps.js';
import { errorBody, handleError, sendError } from './errors.js';
import { routeFamilies } from './routes/index.js';
import { isAuthHook, isSandboxHook } from './auth.js';
import { withCommonResponses, type RouteTraits } from './common-responses.js';
import { installJsonParser } from './json-body.js';
import { lazyRequestLogger } from './lazy-request-logger.js';
import { observeHttpRequest } from '../metrics/metrics.js';
import { noteArrival, rememberResponsePayload, requestLogEntry } from './request-log.js';
import { shareCompiledValidators, sharedSerializerFactory } from './schema-cache.js';

export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

/** One route as registered, with its schema — including routes hidden from /openapi.json. */
export interface RouteRecord {
  method: string;
  url: string;
  schema?: Record<string, unknown>;
}

/**
 * Every route of an app built by buildApp, hidden ones (browser pages, journey JSON) included, so
 * tests can walk all of them (the reliability suites do).
 */
export function routeTable(app: App): readonly RouteRecord[] {
  return routeTables.get(app) ?? [];
}
const routeTables = new WeakMap<object, RouteRecord[]>();
type AnyRequest = FastifyRequest;
type AnyReply = FastifyReply;

const ajvOptions = { coerceTypes: false, removeAdditional: false, allErrors: false, useDefaults: false };

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: limits.bodyBytesMax,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: limits.idLengthMax },
    return503OnClosing: true,
    genReqId: () => deps.engine.random.uuid(),
    // The per-request child logger is only built if the request logs something besides its line.
    childLoggerFactory: lazyRequestLogger,
    logController: new LogController({ requestIdLogLabel: 'correlationId', disableRequestLogging: true }),
    ajv: { customOptions: ajvOptions, plugins: [shareCompiledValidators(ajvOptions)] },
    schemaController: { compilersFactory: { buildSerializer: sharedSerializerFactory } },
    // Errors the router raises before any hook runs (a malformed %-escape, an id over the length
    // limit) get the same correlation id and Klarna error body as everything else.
    frameworkErrors: (error, request, reply) => {
      request.correlationId = String(request.id);
      reply.header('Klarna-Correlation-Id', request.correlationId);
      const known =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new KassaError('BAD_VALUE', [`Bad value: path parameter (at most ${limits.idLengthMax} characters)`])
          : new KassaError('BAD_REQUEST', ['Malformed request URL']);
      sendError(request as AnyRequest, reply as AnyReply, known);
    },
    // HTTP that Node's parser refuses (bad framing, oversized headers, timeouts) never reaches a
    // route; it still gets a Klarna error body and a correlation id. Unlike Fastify's default this
    // does not log the error object, whose rawPacket holds the request bytes (and credentials).
    clientErrorHandler: (error, socket) => {
      const code = (error as { code?: string }).code;
      if (code === 'ECONNRESET' || socket.destroyed) return;
      const [status, known] =
        code === 'HPE_HEADER_OVERFLOW'
          ? [431, new KassaError('REQUEST_TOO_LARGE', ['Request headers too large'])]
          : code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, new KassaError('BAD_REQUEST', ['Request timed out'])]
            : [400, new KassaError('BAD_REQUEST', ['Malformed HTTP request'])];
      const correlationId = deps.engine.random.uuid();
      const body = JSON.stringify(errorBody(known, correlationId, 'v1'));
      deps.logger.debug({ correlationId, code, status }, 'malformed HTTP refused');
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nKlarna-Correlation-Id: ${correlationId}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routes: RouteRecord[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    // Every route declares the error statuses it can answer whatever it does (common-responses.ts).
    const headers = (route.schema?.headers ?? {}) as { properties?: Record<string, unknown> };
    const traits: RouteTraits = {
      method: String([route.method].flat()[0]),
      url: route.url,
      authenticated: [route.preHandler ?? []].flat().some(isAuthHook),
      sandboxOnly: [route.onRequest ?? []].flat().some(isSandboxHook),
      idempotent: headers.properties?.['klarna-idempotency-key'] !== undefined,
    };
    route.schema = { ...route.schema, response: withCommonResponses(traits, route.schema?.response as Record<string, unknown> | undefined) };
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url, schema: route.schema as Record<string, unknown> | undefined });
    // Credentials first: route families attach basicAuth as a preHandler; it moves to onRequest, so
    // a caller without valid credentials gets 401 before its body is parsed or validated (and
    // learns nothing from a 400). Hooks already on onRequest (the sandbox-mode guard) run before it.
    const pre = [route.preHandler ?? []].flat();
    if (pre.some(isAuthHook)) {
      route.preHandler = pre.filter((hook) => !isAuthHook(hook));
      route.onRequest = [...[route.onRequest ?? []].flat(), ...pre.filter(isAuthHook)] as typeof route.onRequest;
    }
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Kassa', version: '0.1.0', description: 'Klarna-compatible payment workflow server' },
      components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } },
      security: [{ basic: [] }],
    },
  });

  // Klarna's APIs speak JSON only; any other body type is 415, not a string that fails validation.
  // JSON itself must be UTF-8 (json-body.ts).
  app.removeContentTypeParser('text/plain');
  installJsonParser(app, { emptyIsNoBody: false });

  // The hooks every request runs take Fastify's `done` callback rather than being async: an async
  // hook costs a promise and a trip through the microtask queue per request, for work that is
  // synchronous here (docs/performance.md).
  app.decorateRequest('correlationId', '');
  app.addHook('onRequest', (request, reply, done) => {
    request.correlationId = String(request.id);
    reply.header('Klarna-Correlation-Id', request.correlationId);
    noteArrival(request, deps.engine.clock.now());
    done();
  });
  // Deeper bodies than any Klarna object needs are refused before a handler sees them: storing them
  // would overflow JSON.stringify's recursion (a 500). Hooks are inherited, so this holds for route
  // families that bring their own JSON parser too.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body !== undefined && nestingDepth(request.body, limits.jsonDepthMax) > limits.jsonDepthMax) {
      return done(new KassaError('BAD_REQUEST', [`Malformed request body: nested deeper than ${limits.jsonDepthMax} levels`]));
    }
    done();
  });
  // One onSend hook for both: the requests log keeps the body as sent (redacted when the entry is
  // built, after the answer); and no answer leaves before everything committed ahead of it is on
  // disk: a read must not show a write that a power cut could still take back (the store's WAL sync
  // runs off the event loop).
  app.addHook('onSend', (request, _reply, payload, done) => {
    rememberResponsePayload(request, payload);
    const barrier = deps.engine.store.durableBarrier();
    if (!barrier) return done(null, payload);
    barrier.then(() => done(null, payload), done);
  });
  // One line per request. Its fields are fixed and hold no secret (the route pattern, never the
  // path's ids or tokens), so it is written by a child without the wildcard redactions, which
  // would otherwise clone and re-serialise every field of every line (a third of the bytes
  // allocated per request; docs/performance.md). Every other line keeps the full redaction.
  const requestLine = deps.logger.child({}, { redact: { paths: [] } });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requestLine.info({ correlationId: request.id, method: request.method, url: route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    // After the answer has gone: neither the metrics nor the requests log may delay or fail it.
    try {
      observeHttpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      const entry = requestLogEntry(request, reply, deps.engine.random.uuid());
      if (entry) deps.requestLog.record(entry);
    } catch (error) {
      request.log.warn({ err: error }, 'requests log or metrics failed for this request');
    }
    done();
  });

  app.setErrorHandler((error, request, reply) => handleError(error, request as AnyRequest, reply as AnyReply));
  app.setNotFoundHandler((request, reply) => sendError(request as AnyRequest, reply as AnyReply, new KassaError('ROUTE_NOT_FOUND', [`No route ${request.method} ${routeShape(request.url)}`])));

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok', store: deps.engine.store.kind, mode: deps.config.mode }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  for (const register of routeFamilies) await app.register(async (scope) => register(scope as App, deps));
  return app;
}

/**
 * How deeply objects and arrays nest in `value` (stops counting past `cap`, so the recursion is at
 * most cap + 1 deep whatever the input).
 */
export function nestingDepth(value: unknown, cap: number): number {
  return depthFrom(value, 0, cap);
}

function depthFrom(value: unknown, depth: number, cap: number): number {
  if (value === null || typeof value !== 'object') return depth;
  const d = depth + 1;
  if (d > cap) return d;
  let max = d;
  if (Array.isArray(value)) {
    for (const child of value) {
      if (child === null || typeof child !== 'object') continue;
      max = Math.max(max, depthFrom(child, d, cap));
      if (max > cap) return max;
    }
    return max;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const child = (value as Record<string, unknown>)[key];
    if (child === null || typeof child !== 'object') continue;
    max = Math.max(max, depthFrom(child, d, cap));
    if (max > cap) return max;
  }
  return max;
}

/**
 * The path of an unknown route as it may be echoed in an error: word segments (payments, v1,
 * captures) stay so a typo is visible; anything else — an id, a token a client put in the path —
 * becomes {id}, so no token is ever repeated back or logged.
 */
export function routeShape(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path
    .split('/')
    .map((segment) => (segment === '' || (segment.length <= 32 && /^(v\d{1,2}|[a-z]+(-[a-z]+)*)$/.test(segment)) ? segment : '{id}'))
    .join('/');
}
