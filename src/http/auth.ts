/**
 * HTTP Basic authentication per merchant account. Missing or bad credentials: 401 UNAUTHORIZED
 * with a WWW-Authenticate challenge. The password never reaches a log (pino redacts the header).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
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
    // A header verified before: one hash and one account read (credential-cache.ts).
    const known = header ? await credentialCache.lookup(header) : undefined;
    if (known) {
      request.account = known;
      return;
    }
    const credentials = parseBasic(header);
    const account = credentials && (await deps.accounts.authenticate(credentials.username, credentials.password));
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

export function requireSandbox(deps: AppDeps) {
  return async function sandboxOnly(): Promise<void> {
    if (deps.config.mode !== 'sandbox') throw new KassaError('ROUTE_NOT_FOUND', ['Sandbox helpers exist only in sandbox mode']);
  };
}
