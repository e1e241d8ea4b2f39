/**
 * Klarna Payments API v1 (reference §1): sessions, orders and customer tokens from authorization
 * tokens, and cancelling an authorization. Plus the redirect Klarna hands out as `redirect_url`,
 * which forwards the customer to the merchant's confirmation URL.
 */
import { Type } from '@sinclair/typebox';
import { createCustomerToken } from '../../app/payments/customer-token.js';
import { cancelAuthorization } from '../../app/payments/cancel-authorization.js';
import { createOrderFromAuthorization, fillPlaceholders } from '../../app/payments/create-order.js';
import { createSession, sessionView, updateSession } from '../../app/payments/sessions.js';
import { customerTokenType, type CustomerTokenState } from '../../domain/customer-token/customer-token-state.js';
import { KassaError } from '../../domain/errors.js';
import type { OrderState } from '../../domain/order/order-state.js';
import { sessionType, type SessionState } from '../../domain/session/session-state.js';
import type { App } from '../app.js';
import { basicAuth } from '../auth.js';
import { callbackUrlsGuard } from '../callback-urls.js';
import { runCommand } from '../command.js';
import type { AppDeps } from '../deps.js';
import { CreateOrderBody, CustomerTokenBody, PaymentMethodCategory, SessionCreateBody, SessionUpdateBody, type SessionUpdateBody as SessionUpdate } from '../schemas/order-data.js';
import { Empty, IdempotencyHeader, PathId, v1Errors } from '../schemas.js';

const tags = ['payments v1'];

const MerchantSession = Type.Object({
  session_id: Type.String(),
  client_token: Type.String(),
  payment_method_categories: Type.Array(PaymentMethodCategory),
});

const OrderResponse = Type.Object({
  order_id: Type.String(),
  redirect_url: Type.Optional(Type.String()),
  fraud_status: Type.String({ enum: ['ACCEPTED', 'PENDING'] }),
  authorized_payment_method: Type.Object({ type: Type.String(), number_of_days: Type.Optional(Type.Integer()), number_of_installments: Type.Optional(Type.Integer()) }),
});

const CustomerTokenResponse = Type.Object({
  token_id: Type.String(),
  redirect_url: Type.Optional(Type.String()),
  payment_method_reference: Type.Optional(Type.String()),
  billing_address: Type.Optional(Type.Object({}, { additionalProperties: true })),
  customer: Type.Optional(Type.Object({}, { additionalProperties: true })),
});

const SessionParams = Type.Object({ session_id: PathId });
const SeeOther = Type.Null({ description: "See Other: Location is the merchant's confirmation URL" });
const TokenParams = Type.Object({ authorizationToken: PathId });

export function paymentsV1Routes(app: App, deps: AppDeps): void {
  const auth = { preHandler: [basicAuth(deps)] };
  // Bodies that may carry merchant_urls Kassa will call: those URLs follow the outbound rule.
  const authWithCallbacks = { preHandler: [basicAuth(deps), callbackUrlsGuard(deps.config.outbound)] };
  const paymentsDeps = { clientTokens: deps.clientTokens, publicUrl: deps.config.publicUrl };

  app.post(
    '/payments/v1/sessions',
    { ...authWithCallbacks, schema: { tags, summary: 'Create a payment session', headers: IdempotencyHeader, body: SessionCreateBody, response: { 200: MerchantSession, ...v1Errors(400, 401, 403) } } },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        const session = await createSession(uow, paymentsDeps, request.body);
        return { status: 200, body: { session_id: session.session_id, client_token: session.client_token, payment_method_categories: session.payment_method_categories } };
      }),
  );

  app.get(
    '/payments/v1/sessions/:session_id',
    { ...auth, schema: { tags, summary: 'Read a payment session', params: SessionParams, response: { 200: Type.Object({}, { additionalProperties: true }), ...v1Errors(401, 403, 404) } } },
    async (request) => {
      const record = await deps.engine.store.getAggregate<SessionState>(request.account.id, sessionType, request.params.session_id);
      const now = deps.engine.accountNow(request.account);
      const view = record && sessionView(record.state, now);
      if (!view || view.status === 'expired') throw new KassaError('NOT_FOUND', ['Invalid session id']);
      return view;
    },
  );

  app.post(
    '/payments/v1/sessions/:session_id',
    { ...authWithCallbacks, schema: { tags, summary: 'Update a payment session', headers: IdempotencyHeader, params: SessionParams, body: SessionUpdateBody, response: { 204: Empty, ...v1Errors(400, 401, 403, 404) } } },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        await updateSession(uow, paymentsDeps, request.params.session_id, request.body as SessionUpdate);
        return { status: 204 };
      }),
  );

  app.post(
    '/payments/v1/authorizations/:authorizationToken/order',
    {
      ...authWithCallbacks,
      schema: { tags, summary: 'Create an order from an authorization token', headers: IdempotencyHeader, params: TokenParams, body: CreateOrderBody, response: { 200: OrderResponse, ...v1Errors(400, 401, 403, 404, 409) } },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => ({
        status: 200,
        body: await createOrderFromAuthorization(uow, deps.config.publicUrl, request.params.authorizationToken, request.body),
      })),
  );

  app.post(
    '/payments/v1/authorizations/:authorizationToken/customer-token',
    {
      ...auth,
      schema: { tags, summary: 'Generate a customer token', headers: IdempotencyHeader, params: TokenParams, body: CustomerTokenBody, response: { 200: CustomerTokenResponse, ...v1Errors(400, 401, 403, 404, 409) } },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => ({
        status: 200,
        body: await createCustomerToken(uow, deps.config.publicUrl, request.params.authorizationToken, request.body),
      })),
  );

  app.delete(
    '/payments/v1/authorizations/:authorizationToken',
    { ...auth, schema: { tags, summary: 'Cancel an authorization', headers: IdempotencyHeader, params: TokenParams, response: { 204: Empty, ...v1Errors(401, 403, 404) } } },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        await cancelAuthorization(uow, request.params.authorizationToken);
        return { status: 204 };
      }),
  );

  // The customer's browser follows redirect_url without credentials: the id is looked up across
  // accounts, and only the merchant's own confirmation URL is ever revealed (as a redirect).
  app.get(
    '/payments/v1/redirect/:order_id',
    { schema: { tags, summary: 'Forward the customer to the merchant confirmation URL', params: Type.Object({ order_id: PathId }), response: { 303: SeeOther, ...v1Errors(404) } } },
    async (request, reply) => {
      const found = await deps.engine.store.findLookup('order', request.params.order_id);
      const order = found && (await deps.engine.store.getAggregate<OrderState>(found.accountId, 'order', found.id));
      const target = order?.state.internal.merchant_urls?.confirmation;
      if (!target) throw new KassaError('NOT_FOUND', ['Invalid order id']);
      return reply.redirect(fillPlaceholders(target, { orderId: order.state.order_id, sessionId: order.state.internal.sourceId }), 303);
    },
  );

  app.get(
    '/payments/v1/redirect/token/:token_id',
    { schema: { tags, summary: 'Forward the customer after tokenization', params: Type.Object({ token_id: PathId }), response: { 303: SeeOther, ...v1Errors(404) } } },
    async (request, reply) => {
      const found = await deps.engine.store.findLookup('customer_token', request.params.token_id);
      const token = found && (await deps.engine.store.getAggregate<CustomerTokenState>(found.accountId, customerTokenType, found.id));
      const session = token && (await deps.engine.store.getAggregate<SessionState>(found.accountId, sessionType, token.state.internal.sessionId));
      const target = session?.state.merchant_urls?.confirmation;
      if (!target) throw new KassaError('NOT_FOUND', ['Invalid customer token']);
      return reply.redirect(fillPlaceholders(target, { sessionId: session.state.session_id }), 303);
    },
  );
}
