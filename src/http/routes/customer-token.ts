/**
 * Customer Token API v1 (reference §3): read a token, charge it (create an order, honouring
 * Klarna-Idempotency-Key), cancel it (PATCH …/status {status: "CANCELLED"} -> 202). Tokens belong
 * to the account that created them: another account's token is 404 NOT_FOUND. Orders placed here
 * are then managed through Order Management v1.
 */
import { Type } from '@sinclair/typebox';
import { cancelCustomerToken, customerTokenView, placeTokenOrder, setSandboxTokenStatus, type TokenOrderInput } from '../../app/customer-tokens/token-orders.js';
import { customerTokenType, type CustomerTokenState } from '../../domain/customer-token/customer-token-state.js';
import { KassaError } from '../../domain/errors.js';
import { limits } from '../../domain/limits.js';
import type { App } from '../app.js';
import { basicAuth, requireSandbox } from '../auth.js';
import { callbackUrlsGuard } from '../callback-urls.js';
import { runCommand } from '../command.js';
import type { AppDeps } from '../deps.js';
import { allowEmptyJsonBody } from '../empty-json-body.js';
import { Address, Attachment, OrderLine } from '../schemas/order-data.js';
import { Empty, IdempotencyHeader, PathId, v1Errors } from '../schemas.js';

const tags = ['customer-token v1'];
const Url = Type.String({ minLength: 1, maxLength: limits.merchantUrlCharsMax });
const Amount = Type.Integer({ minimum: -limits.amountMax, maximum: limits.amountMax });

export const TokenOrderBody = Type.Object({
  purchase_currency: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217; must be the token’s currency' }),
  purchase_country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$', description: 'Defaults to the token’s country' })),
  locale: Type.Optional(Type.String({ maxLength: 10 })),
  order_amount: Type.Integer({ minimum: 0, maximum: limits.amountMax }),
  order_tax_amount: Amount,
  order_lines: Type.Array(OrderLine, { minItems: 1, maxItems: limits.orderLinesMax }),
  auto_capture: Type.Optional(Type.Boolean()),
  merchant_reference1: Type.Optional(Type.String({ maxLength: limits.merchantReferenceCharsMax })),
  merchant_reference2: Type.Optional(Type.String({ maxLength: limits.merchantReferenceCharsMax })),
  merchant_data: Type.Optional(Type.String({ maxLength: limits.merchantDataCharsMax })),
  merchant_urls: Type.Optional(Type.Object({ confirmation: Type.Optional(Url), notification: Type.Optional(Url), push: Type.Optional(Url) })),
  shipping_address: Type.Optional(Address),
  billing_address: Type.Optional(Address),
  attachment: Type.Optional(Attachment),
});

const TokenOrderResponse = Type.Object({
  order_id: Type.String(),
  fraud_status: Type.String({ enum: ['ACCEPTED', 'PENDING'] }),
  redirect_url: Type.Optional(Type.String()),
  authorized_payment_method: Type.Object({ type: Type.String(), number_of_days: Type.Optional(Type.Integer()), number_of_installments: Type.Optional(Type.Integer()) }),
});

const TokenView = Type.Object({
  status: Type.String({ enum: ['ACTIVE', 'CANCELLED', 'SUSPENDED'] }),
  payment_method_type: Type.String(),
  card: Type.Optional(Type.Object({ brand: Type.String(), expiry_date: Type.String(), masked_number: Type.String() })),
  direct_debit: Type.Optional(Type.Object({ masked_number: Type.String() })),
});

const TokenParams = Type.Object({ customerToken: PathId });
const StatusBody = Type.Object({ status: Type.Literal('CANCELLED', { description: 'The only status a merchant can set' }) });

export function customerTokenRoutes(app: App, deps: AppDeps): void {
  allowEmptyJsonBody(app);
  const preHandler = [basicAuth(deps)];

  app.get(
    '/customer-token/v1/tokens/:customerToken',
    { preHandler, schema: { tags, summary: 'Read a customer token', params: TokenParams, response: { 200: TokenView, ...v1Errors(401, 403, 404) } } },
    async (request) => {
      const record = await deps.engine.store.getAggregate<CustomerTokenState>(request.account.id, customerTokenType, request.params.customerToken);
      if (!record) throw new KassaError('NOT_FOUND', ['Invalid customer-token ID']);
      return customerTokenView(record.state);
    },
  );

  app.post(
    '/customer-token/v1/tokens/:customerToken/order',
    {
      preHandler: [...preHandler, callbackUrlsGuard(deps.config.outbound)],
      schema: { tags, summary: 'Create an order by charging a customer token', params: TokenParams, headers: IdempotencyHeader, body: TokenOrderBody, response: { 200: TokenOrderResponse, ...v1Errors(400, 401, 403, 404, 409) } },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => ({
        status: 200,
        body: await placeTokenOrder(uow, deps.config.publicUrl, request.params.customerToken, request.body as TokenOrderInput),
      })),
  );

  app.patch(
    '/customer-token/v1/tokens/:customerToken/status',
    { preHandler, schema: { tags, summary: 'Cancel a customer token', params: TokenParams, headers: IdempotencyHeader, body: StatusBody, response: { 202: Empty, ...v1Errors(400, 401, 403, 404) } } },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        await cancelCustomerToken(uow, request.params.customerToken);
        return { status: 202 };
      }),
  );

  // Sandbox helper (not Klarna's API): suspend / resume a token to test how an integration copes.
  app.post(
    '/sandbox/v1/customer-tokens/:customerToken/status',
    {
      onRequest: [requireSandbox(deps)],
      preHandler,
      schema: {
        tags: ['sandbox'],
        summary: 'Suspend or resume a customer token (sandbox only)',
        params: TokenParams,
        headers: IdempotencyHeader,
        body: Type.Object({ status: Type.Union([Type.Literal('SUSPENDED'), Type.Literal('ACTIVE')]) }),
        response: { 200: TokenView, ...v1Errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => ({
        status: 200,
        body: customerTokenView(await setSandboxTokenStatus(uow, request.params.customerToken, request.body.status)),
      })),
  );
}
