/**
 * Payments v1 session commands: create and update. The session's deadline (48 h) is a durable
 * timer; its client_token is a signed JWT naming it; its payment method categories follow the
 * matrix in src/domain/decision/payment-methods.ts.
 */
import { paymentMethodCategories } from '../../domain/decision/payment-methods.js';
import { throwIfRejected } from '../../domain/errors.js';
import { durations } from '../../domain/limits.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import { sessionAllows } from '../../domain/session/decide-payments.js';
import { sessionType, type SessionData, type SessionState } from '../../domain/session/session-state.js';
import { validateOrderData } from '../../domain/session/validate-order.js';
import type { ClientTokens } from '../client-tokens.js';
import { ids } from '../ids.js';
import type { UnitOfWork } from '../unit-of-work.js';

export interface PaymentsDeps {
  clientTokens: ClientTokens;
  publicUrl: string;
}

export const sessionTimers = { expire: (sessionId: string) => `session:${sessionId}:expire` };

type SessionInput = Partial<Omit<SessionData, 'order_tax_amount' | 'locale' | 'intent' | 'acquiring_channel'>> & {
  order_tax_amount?: number;
  locale?: string;
  intent?: SessionData['intent'];
  acquiring_channel?: string;
};

/** Normalizes request data to the stored form (upper-case codes, defaults filled in). */
function toSessionData(body: SessionInput, base?: SessionData): SessionData {
  const merged = { ...base, ...stripUndefined(body) } as SessionInput;
  return {
    ...(merged as SessionData),
    purchase_country: String(merged.purchase_country).toUpperCase(),
    purchase_currency: String(merged.purchase_currency).toUpperCase(),
    locale: merged.locale ?? 'en-US',
    order_tax_amount: merged.order_tax_amount ?? 0,
    intent: merged.intent ?? 'buy',
    acquiring_channel: merged.acquiring_channel ?? 'ECOMMERCE',
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function createSession(uow: UnitOfWork, deps: PaymentsDeps, body: SessionInput): Promise<SessionState> {
  const data = toSessionData(body);
  throwIfRejected(validateOrderData(data));
  const sessionId = ids.session(uow.ctx.random);
  const expiresAtMs = uow.now + durations.sessionTtlMs;
  const session: SessionState = {
    ...data,
    session_id: sessionId,
    status: 'incomplete',
    client_token: await deps.clientTokens.sign({ sessionId, accountId: uow.accountId }, uow.now, expiresAtMs),
    expires_at: new Date(expiresAtMs).toISOString(),
    payment_method_categories: paymentMethodCategories(data.purchase_country, data.order_amount, data.intent, deps.publicUrl),
    internal: { createdAtMs: uow.now, expiresAtMs },
  };
  uow.put(sessionType, sessionId, session);
  uow.event(sessionType, sessionId, 'session.created', { order_amount: data.order_amount, purchase_currency: data.purchase_currency, intent: data.intent });
  uow.schedule({ id: sessionTimers.expire(sessionId), dueAt: expiresAtMs, kind: 'session.expire', aggregateType: sessionType, aggregateId: sessionId, payload: {} });
  return session;
}

export async function updateSession(uow: UnitOfWork, deps: PaymentsDeps, sessionId: string, body: SessionInput): Promise<void> {
  const session = await uow.load<SessionState>(sessionType, sessionId);
  throwIfRejected(sessionAllows(session, 'update', uow.now));
  const data = toSessionData(body, session);
  throwIfRejected(validateOrderData(data));
  const updated: SessionState = {
    ...session!,
    ...data,
    payment_method_categories: paymentMethodCategories(data.purchase_country, data.order_amount, data.intent, deps.publicUrl),
  };
  uow.put(sessionType, sessionId, updated);
  uow.event(sessionType, sessionId, 'session.updated', { fields: Object.keys(stripUndefined(body)) });
}

/** Timer `session.expire`: an incomplete session becomes expired after 48 h (complete ones stay). */
export async function expireSession(uow: UnitOfWork, sessionId: string): Promise<void> {
  const session = await uow.load<SessionState>(sessionType, sessionId);
  if (!session || session.status !== 'incomplete') return;
  uow.put(sessionType, sessionId, { ...session, status: 'expired' });
  uow.event(sessionType, sessionId, 'session.expired');
}

/** The read-session view (reference §1): request fields plus Klarna's, without internals. */
export function sessionView(session: SessionState, now: number): JsonObject {
  const { internal: _internal, customer_token_id: _ct, ...rest } = session;
  return { ...(rest as unknown as JsonObject), status: session.status === 'incomplete' && now >= session.internal.expiresAtMs ? 'expired' : session.status };
}
