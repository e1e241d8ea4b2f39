/**
 * The demo shop's merchant account and its Klarna client.
 *
 * The shop is its own sandbox merchant (`demo-shop`), created on first use, with a password kept in
 * the instance settings so it survives restarts and the demo can show copy-paste `curl` lines. It is
 * not the sandbox merchant printed at first start: that one's password is shown once and never
 * stored, so nothing in Kassa could call the API as it.
 *
 * The shop calls Kassa's Payments v1 and Order Management APIs the way a merchant backend calls
 * Klarna: HTTP requests with Basic auth and JSON bodies. They are sent with Fastify's `inject`, i.e.
 * through the whole HTTP pipeline (routing, auth, validation, idempotency, error rendering) but
 * without a socket, because the server cannot reliably reach itself over the network: the bind
 * address may be 0.0.0.0, KASSA_PUBLIC_URL may name a proxy, and tests listen on port 0. Replacing
 * `inject` by `fetch(baseUrl + path)` is the only change a real shop backend needs.
 */
import type { FastifyInstance } from 'fastify';
import { DuplicateKey } from '../../store/port.js';
import type { AppDeps } from '../../http/deps.js';

export const demoShopUsername = 'demo-shop';
const passwordSetting = 'demo_shop_password';

export interface DemoCredentials {
  username: string;
  password: string;
  accountId: string;
}

const ensured = new WeakMap<AppDeps, Promise<DemoCredentials>>();

/** The demo shop's credentials, creating its account the first time. */
export function demoShopCredentials(deps: AppDeps): Promise<DemoCredentials> {
  let pending = ensured.get(deps);
  if (!pending) {
    pending = ensureAccount(deps);
    ensured.set(deps, pending);
    pending.catch(() => ensured.delete(deps));
  }
  return pending;
}

async function ensureAccount(deps: AppDeps): Promise<DemoCredentials> {
  const store = deps.engine.store;
  const password = await store.getOrCreateSetting(passwordSetting, deps.engine.random.token(24));
  let account = await store.getAccountByUsername(demoShopUsername);
  if (!account) {
    try {
      account = await deps.accounts.create(demoShopUsername, password);
    } catch (error) {
      // Another node created it first.
      if (!(error instanceof DuplicateKey)) throw error;
      account = await store.getAccountByUsername(demoShopUsername);
    }
  }
  if (!account) throw new Error('demo shop account could not be created');
  return { username: demoShopUsername, password, accountId: account.id };
}

export interface KlarnaResponse {
  status: number;
  body: any;
}

/** A minimal Klarna API client for the shop backend (see the file comment for why `inject`). */
export function klarnaClient(app: FastifyInstance, credentials: DemoCredentials) {
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  return async function call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<KlarnaResponse> {
    const res = await app.inject({
      method,
      url: path,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
}
