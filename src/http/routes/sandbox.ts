/**
 * Sandbox helpers that are not part of Klarna's API: who am I (`account_id`, used in v2 paths) and
 * the account's test clock. Moving the clock fires every timer that falls due, in deadline order,
 * before the answer. These routes exist only in sandbox mode.
 */
import { Type } from '@sinclair/typebox';
import { authorizeSession } from '../../app/payments/authorize-session.js';
import { runCommand, type HttpResult } from '../command.js';
import type { UnitOfWork } from '../../app/unit-of-work.js';
import { Address, Customer } from '../schemas/order-data.js';
import { IdempotencyHeader, PathId } from '../schemas.js';
import { limits } from '../../domain/limits.js';
import type { App } from '../app.js';
import { basicAuth, requireSandbox } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { v1Errors } from '../schemas.js';

const ClockBody = Type.Object({
  now: Type.String({ format: 'date-time' }),
  offset_seconds: Type.Integer(),
});

export function sandboxRoutes(app: App, deps: AppDeps): void {
  const guards = { onRequest: [requireSandbox(deps)], preHandler: [basicAuth(deps)] };

  app.get(
    '/sandbox/v1/account',
    { ...guards, schema: { tags: ['sandbox'], summary: 'The calling account', response: { 200: Type.Object({ account_id: Type.String(), username: Type.String() }), ...v1Errors(401) } } },
    async (request) => ({ account_id: request.account.id, username: request.account.username }),
  );

  app.get('/sandbox/v1/clock', { ...guards, schema: { tags: ['sandbox'], summary: "Read the account's test clock", response: { 200: ClockBody, ...v1Errors(401) } } }, async (request) =>
    clockView(deps.engine.accountNow(request.account), request.account.clockOffsetMs),
  );

  app.post(
    '/sandbox/v1/clock/advance',
    {
      ...guards,
      schema: {
        tags: ['sandbox'],
        summary: "Move the account's test clock forward and fire every timer that falls due",
        headers: IdempotencyHeader,
        body: Type.Object({ seconds: Type.Integer({ minimum: 0, maximum: limits.clockAdvanceSecondsMax }) }),
        response: { 200: Type.Object({ now: Type.String(), offset_seconds: Type.Integer(), timers_fired: Type.Integer() }), ...v1Errors(400, 401, 409) },
      },
    },
    // One command: the new offset and the idempotency record commit together, so a retried advance
    // (same Klarna-Idempotency-Key, e.g. after a lost response) never moves the clock twice.
    // `timers_fired` counts the timers due at the new time; they fire before the answer.
    async (request, reply) => runCommand(deps, request, reply, advanceClock(deps, (request.body as { seconds: number }).seconds)),
  );
}

/**
 * The clock-advance command (the API route above and the dashboard's test clock): moves the
 * account's offset in the unit of work, then, once that is durable, fires the timers now due.
 */
export function advanceClock(deps: AppDeps, seconds: number): (uow: UnitOfWork) => Promise<HttpResult> {
  return async (uow) => {
    const offsetMs = uow.ctx.account.clockOffsetMs + seconds * 1000;
    uow.moveClock(offsetMs);
    const now = deps.engine.clock.now() + offsetMs;
    const due = await deps.engine.store.dueTimers(uow.accountId, now, limits.clockAdvanceDueCountMax);
    return {
      status: 200,
      body: { ...clockView(now, offsetMs), timers_fired: due.length },
      afterCommit: async () => {
        const account = await deps.engine.store.getAccount(uow.accountId);
        if (account) await deps.timers.fireDue(account);
        deps.outbox.kick();
      },
    };
  };
}

const AuthorizeBody = Type.Object({
  payment_method_category: Type.Optional(Type.String({ maxLength: 50 })),
  billing_address: Type.Optional(Address),
  shipping_address: Type.Optional(Address),
  customer: Type.Optional(Customer),
});

const AuthorizeResult = Type.Object({
  approved: Type.Boolean(),
  show_form: Type.Boolean(),
  authorization_token: Type.Optional(Type.String()),
  finalize_required: Type.Optional(Type.Boolean()),
  fraud_status: Type.Optional(Type.String()),
});

/**
 * POST /sandbox/v1/sessions/{session_id}/authorize: what the JS SDK's authorize() does in the
 * browser, headless. Answers like the SDK callback: {approved, show_form, authorization_token}.
 */
export function sandboxAuthorizeRoute(app: App, deps: AppDeps): void {
  app.post(
    '/sandbox/v1/sessions/:session_id/authorize',
    {
      onRequest: [requireSandbox(deps)],
      preHandler: [basicAuth(deps)],
      schema: {
        tags: ['sandbox'],
        summary: "Authorize a session as the customer would in Klarna's widget",
        headers: IdempotencyHeader,
        params: Type.Object({ session_id: PathId }),
        body: Type.Optional(AuthorizeBody),
        response: { 200: AuthorizeResult, ...v1Errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => ({ status: 200, body: await authorizeSession(uow, request.params.session_id, (request.body ?? {}) as object) })),
  );
}

function clockView(now: number, offsetMs: number) {
  return { now: new Date(now).toISOString(), offset_seconds: Math.floor(offsetMs / 1000) };
}
