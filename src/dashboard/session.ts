/**
 * Dashboard sign-in sessions: a stateless cookie signed with HMAC-SHA256, so any Kassa node
 * sharing the store accepts it (the key is an instance setting in the store, made on first use).
 * The cookie holds the account id, a random session id and an expiry; the MAC also covers the
 * account's stored secret hash, so changing the account's password ends every dashboard session.
 * It is `HttpOnly`, `SameSite=Strict`, `Path=/dashboard`, and `Secure` when served over https.
 *
 * Forms are CSRF-safe twice over: SameSite=Strict keeps the cookie off cross-site requests, and
 * every POST carries a synchronizer token derived from the session id (HMAC), compared in
 * constant time. The sign-in form, before there is a session, uses a double-submit cookie.
 *
 * Signing out clears the cookie; being stateless, a copied cookie value would stay valid until its
 * expiry (8 h). HttpOnly keeps it from page scripts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dashboardLimits } from '../domain/limits.js';
import type { AccountRecord } from '../store/port.js';
import type { AppDeps } from '../http/deps.js';

export const sessionCookie = 'kassa_dashboard';
export const preSessionCookie = 'kassa_dashboard_pre';

interface SessionPayload {
  /** Account id. */
  a: string;
  /** Session id (random). */
  s: string;
  /** Expiry, system clock ms. */
  e: number;
}

export interface DashboardSession {
  account: AccountRecord;
  sessionId: string;
  csrf: string;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class DashboardSessions {
  private key?: Promise<Buffer>;

  constructor(private readonly deps: AppDeps) {}

  private signingKey(): Promise<Buffer> {
    this.key ??= this.deps.engine.store.getOrCreateSetting('dashboard_session_key', this.deps.engine.random.token(32)).then((k) => Buffer.from(k));
    return this.key;
  }

  private async mac(body: string, secretHash: string): Promise<Buffer> {
    return createHmac('sha256', await this.signingKey()).update(body).update('\u0000').update(secretHash).digest();
  }

  async csrfFor(sessionId: string): Promise<string> {
    return createHmac('sha256', await this.signingKey()).update('csrf\u0000').update(sessionId).digest('base64url').slice(0, 32);
  }

  /** The cookie value for a new session of `account`. */
  async issue(account: AccountRecord): Promise<string> {
    const payload: SessionPayload = { a: account.id, s: this.deps.engine.random.token(16), e: this.deps.engine.clock.now() + dashboardLimits.sessionTtlMs };
    const body = b64(JSON.stringify(payload));
    return `${body}.${b64(await this.mac(body, account.secretHash))}`;
  }

  /** The session a cookie value stands for, or undefined (absent, forged, expired, password changed). */
  async verify(value: string | undefined): Promise<DashboardSession | undefined> {
    if (!value || value.length > 512) return undefined;
    const [body, sig, extra] = value.split('.');
    if (!body || !sig || extra !== undefined) return undefined;
    let payload: SessionPayload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionPayload;
    } catch {
      return undefined;
    }
    if (typeof payload?.a !== 'string' || typeof payload.s !== 'string' || typeof payload.e !== 'number') return undefined;
    if (payload.e <= this.deps.engine.clock.now()) return undefined;
    const account = await this.deps.engine.store.getAccount(payload.a);
    // Unknown account: still compute a MAC so the timing says nothing about which ids exist.
    const expected = await this.mac(body, account?.secretHash ?? '');
    const given = Buffer.from(sig, 'base64url');
    if (!account || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { account, sessionId: payload.s, csrf: await this.csrfFor(payload.s) };
  }
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

function isSecure(deps: AppDeps, request: FastifyRequest): boolean {
  return request.protocol === 'https' || deps.config.publicUrl.startsWith('https:');
}

export function setCookie(deps: AppDeps, request: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeMs: number): void {
  const attributes = [`${name}=${value}`, 'Path=/dashboard', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`];
  if (isSecure(deps, request)) attributes.push('Secure');
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, attributes.join('; ')]);
}

export function clearCookie(deps: AppDeps, request: FastifyRequest, reply: FastifyReply, name: string): void {
  setCookie(deps, request, reply, name, '', 0);
}

/** Constant-time comparison of two tokens (false when either is missing). */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
