/**
 * The JSON endpoints the widget and purchase-journey pages call from the browser. They authenticate
 * with the subject's credential as a bearer token (`Authorization: Bearer <client_token>` for a
 * Payments v1 session, the journey token for a v2 payment request), never with the merchant's Basic
 * credentials, and answer Klarna's v1 error shape. {kind} picks the journey subject
 * (journey-subjects.ts).
 *
 *   GET  /kp/v1/journey/{kind}/context   what to show: amounts, lines, categories with their plans
 *   POST /kp/v1/journey/{kind}/enter     the customer opened the journey
 *   POST /kp/v1/journey/{kind}/identify  email or phone -> "code sent to c***@email.us"
 *   POST /kp/v1/journey/{kind}/verify    the one-time code (any 6 digits but 999999)
 *   POST /kp/v1/journey/{kind}/approve   identity + code + category + plan -> the decision
 *   POST /kp/v1/journey/{kind}/abort     the customer closed the journey
 *
 * Checks run in this order, so the same bad input always gets the same answer: subject kind,
 * credential (401), subject state (404 / SESSION_COMPLETED; 409 for a final payment request),
 * identity, one-time code, category, plan. Writes (enter, approve, abort) go through runCommand: one transaction each.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { KassaError, orThrow, throwIfRejected } from '../../domain/errors.js';
import { maskIdentity, parseIdentity, type JourneyIdentity } from '../../domain/journey/identity.js';
import { chosenInstalments, instalmentPlans } from '../../domain/journey/instalment-plans.js';
import { checkOneTimeCode, oneTimeCodeLength } from '../../domain/journey/one-time-code.js';
import type { PaymentMethodCategoryId } from '../../domain/decision/payment-methods.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import type { App } from '../../http/app.js';
import { runCommand } from '../../http/command.js';
import type { AppDeps } from '../../http/deps.js';
import { Address, Customer } from '../../http/schemas/order-data.js';
import type { AccountRecord } from '../../store/port.js';
import type { JourneySubject, JourneyView } from './journey-subject.js';
import { findJourneySubject } from './journey-subjects.js';

const KindParams = Type.Object({ kind: Type.String({ maxLength: 50 }) });
const IdentityFields = {
  email: Type.Optional(Type.String({ maxLength: 100 })),
  phone: Type.Optional(Type.String({ maxLength: 30 })),
};
const IdentifyBody = Type.Object(IdentityFields);
const VerifyBody = Type.Object({ ...IdentityFields, one_time_code: Type.String({ maxLength: 20 }) });
const ApproveBody = Type.Object({
  ...IdentityFields,
  one_time_code: Type.String({ maxLength: 20 }),
  payment_method_category: Type.Optional(Type.String({ maxLength: 50 })),
  plan: Type.Optional(Type.String({ maxLength: 20 })),
  data: Type.Optional(
    Type.Object({
      billing_address: Type.Optional(Address),
      shipping_address: Type.Optional(Address),
      customer: Type.Optional(Customer),
    }),
  ),
});


export const oneTimeCodeHint = 'No code is sent: any 6 digits work, except 999999, which always fails.';

interface Authenticated {
  subject: JourneySubject<unknown>;
  account: AccountRecord;
  ref: unknown;
}

/** Resolves {kind} and the bearer credential; sets request.account for runCommand. */
async function authenticate(deps: AppDeps, request: FastifyRequest<{ Params: { kind: string } }>): Promise<Authenticated> {
  const subject = findJourneySubject(request.params.kind);
  if (!subject) throw new KassaError('ROUTE_NOT_FOUND', [`No purchase journey for ${request.params.kind}`]);
  const m = /^Bearer\s+([\x21-\x7e]{1,4096})\s*$/i.exec(request.headers.authorization ?? '');
  if (!m) throw new KassaError('UNAUTHORIZED', [`Missing credential: send the ${subject.credentialName} as Authorization: Bearer <${subject.credentialName}>`]);
  const resolved = await subject.resolve(deps, m[1]!);
  if (!resolved) throw new KassaError('UNAUTHORIZED', [`Invalid ${subject.credentialName}`]);
  request.account = resolved.account;
  return { subject, account: resolved.account, ref: resolved.ref };
}

function categoryOf(view: JourneyView, requested: string | undefined): PaymentMethodCategoryId {
  const offered = view.payment_method_categories.map((c) => c.identifier);
  const category = requested ?? offered[0];
  if (!category || !offered.includes(category as PaymentMethodCategoryId)) {
    throw new KassaError('BAD_VALUE', [`Bad value: payment_method_category (offered: ${offered.join(', ') || 'none'})`]);
  }
  return category as PaymentMethodCategoryId;
}

function identityOf(body: { email?: string; phone?: string }): JourneyIdentity {
  return orThrow(parseIdentity(body));
}

export function journeyRoutes(app: App, deps: AppDeps): void {
  app.get('/kp/v1/journey/:kind/context', { schema: { hide: true, params: KindParams } }, async (request) => {
    const { subject, account, ref } = await authenticate(deps, request);
    const view = await subject.view(deps, account, ref);
    return {
      kind: subject.kind,
      mode: deps.config.mode,
      ...view,
      payment_method_categories: view.payment_method_categories.map((c) => ({ ...c, plans: instalmentPlans(c.identifier, view.order_amount) })),
      one_time_code: { length: oneTimeCodeLength, hint: oneTimeCodeHint },
    };
  });

  app.post('/kp/v1/journey/:kind/enter', { schema: { hide: true, params: KindParams } }, async (request, reply) => {
    const { subject, account, ref } = await authenticate(deps, request);
    await subject.view(deps, account, ref);
    return runCommand(deps, request, reply, async (uow) => {
      await subject.enter(uow, deps, ref);
      return { status: 204 };
    });
  });

  app.post('/kp/v1/journey/:kind/identify', { schema: { hide: true, params: KindParams, body: IdentifyBody } }, async (request) => {
    const { subject, account, ref } = await authenticate(deps, request);
    await subject.view(deps, account, ref);
    const identity = identityOf(request.body);
    return { sent_to: maskIdentity(identity), code_length: oneTimeCodeLength, hint: oneTimeCodeHint };
  });

  app.post('/kp/v1/journey/:kind/verify', { schema: { hide: true, params: KindParams, body: VerifyBody } }, async (request, reply) => {
    const { subject, account, ref } = await authenticate(deps, request);
    await subject.view(deps, account, ref);
    identityOf(request.body);
    throwIfRejected(checkOneTimeCode(request.body.one_time_code));
    return reply.code(204).send();
  });

  app.post('/kp/v1/journey/:kind/approve', { schema: { hide: true, params: KindParams, body: ApproveBody } }, async (request, reply) => {
    const { subject, account, ref } = await authenticate(deps, request);
    const body = request.body;
    const view = await subject.view(deps, account, ref);
    const identity = identityOf(body);
    throwIfRejected(checkOneTimeCode(body.one_time_code));
    const category = categoryOf(view, body.payment_method_category);
    const installments = orThrow(chosenInstalments(category, view.order_amount, body.plan));
    const data = (body.data ?? {}) as { billing_address?: JsonObject; shipping_address?: JsonObject; customer?: JsonObject };
    return runCommand(deps, request, reply, async (uow) => ({
      status: 200,
      body: await subject.approve(uow, deps, ref, { identity, payment_method_category: category, installments, data }),
    }));
  });

  app.post('/kp/v1/journey/:kind/abort', { schema: { hide: true, params: KindParams } }, async (request, reply) => {
    const { subject, ref } = await authenticate(deps, request);
    return runCommand(deps, request, reply, async (uow) => ({ status: 200, body: await subject.abort(uow, deps, ref) }));
  });
}
