/**
 * HTTP Basic authentication per merchant account. Missing or bad credentials: 401 UNAUTHORIZED
 * with a WWW-Authenticate challenge. The password never reaches a log (pino redacts the header).
 * Too many failed sign-ins for a username or from an address: 429 with Retry-After, before any
 * hashing (src/app/sign-in-throttle.ts).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { KassaError } from '../domain/errors.js';
import { CredentialCache } from '../app/credential-cache.js';
import type { AccountRecord } from '../store/port.js';
import type { AppDeps } from './deps.js';

declare module 'fastify' {
  interface FastifyRequest {
    account: AccountRecord;
    correlationId: string;
  }
}

export function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  if (at <= 0) return undefined;
  return { username: decoded.slice(0, at), password: decoded.slice(at + 1) };
}

const authHooks = new WeakSet<object>();

/** Whether a route hook is a credential check (buildApp runs those first, before parsing). */
export function isAuthHook(hook: unknown): boolean {
  return typeof hook === 'function' && authHooks.has(hook);
}

/** One cache of verified headers per store (every route family of an app shares it). */
const credentialCaches = new WeakMap<object, CredentialCache>();

/** preHandler that sets request.account, or answers 401. */
export function basicAuth(deps: AppDeps) {
  let cache = credentialCaches.get(deps.engine.store);
  if (!cache) credentialCaches.set(deps.engine.store, (cache = new CredentialCache(deps.engine.store)));
  const credentialCache = cache;
  const hook = async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization;
    // A header verified before: one hash and one account read (credential-cache.ts). A credential
    // that already succeeded is not a guess, so it is not counted by the sign-in throttle.
    const known = header ? await credentialCache.lookup(header) : undefined;
    if (known) {
      request.account = known;
      return;
    }
    const credentials = parseBasic(header);
    let account: AccountRecord | undefined;
    if (credentials) {
      // Requests with the same pair share one verification, so they count as one attempt.
      const pair = createHash('sha256').update(credentials.username).update('\u0000').update(credentials.password).digest('base64');
      const attempt = deps.signInThrottle.begin(credentials.username, request.ip, pair);
      if (!attempt.allowed) {
        reply.header('Retry-After', String(attempt.retryAfterSeconds));
        throw new KassaError('RATE_LIMITED', [`Too many failed sign-ins; retry after ${attempt.retryAfterSeconds} seconds`]);
      }
      try {
        account = await deps.accounts.authenticate(credentials.username, credentials.password);
      } finally {
        attempt.done(account !== undefined);
      }
    }
    if (!account) {
      reply.header('WWW-Authenticate', 'Basic realm="Kassa"');
      throw new KassaError('UNAUTHORIZED', [credentials ? 'Bad credentials' : 'Missing or malformed Authorization header (HTTP Basic)']);
    }
    credentialCache.remember(header!, account);
    request.account = account;
  };
  authHooks.add(hook);
  return hook;
}

const sandboxHooks = new WeakSet<object>();

/** Whether a route hook is the sandbox-mode guard (its route answers 404 in live mode). */
export function isSandboxHook(hook: unknown): boolean {
  return typeof hook === 'function' && sandboxHooks.has(hook);
}

export function requireSandbox(deps: AppDeps) {
  // Takes `done` rather than being async: no promise per request (a throw is Fastify's error path).
  const hook = function sandboxOnly(_request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (deps.config.mode !== 'sandbox') throw new KassaError('ROUTE_NOT_FOUND', ['Sandbox helpers exist only in sandbox mode']);
    done();
  };
  sandboxHooks.add(hook);
  return hook;
}
