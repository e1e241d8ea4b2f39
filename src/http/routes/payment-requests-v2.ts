/**
 * The v2 acquiring-partner payment API (reference §4): authorize, and read / update / cancel
 * payment requests under both path families — `/v2/accounts/{partner_account_id}/payment/...`
 * (acquiring partners acting for an account) and `/v2/payment/requests` (direct partners).
 * `partner_account_id` must be the caller's own account id (`GET /sandbox/v1/account`); any other
 * is 404, like another account's objects. Errors use the v2 body.
 */
import type { Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { authorizePayment, type AuthorizeBody as AuthorizeBodyT } from '../../app/payment-requests/authorize.js';
import { createPaymentRequest } from '../../app/payment-requests/create-payment-request.js';
import { cancelPaymentRequest, updatePaymentRequest, type PaymentRequestPatch } from '../../app/payment-requests/partner-commands.js';
import { paymentRequestView } from '../../app/payment-requests/view.js';
import { KassaError } from '../../domain/errors.js';
import { paymentRequestType, type PaymentRequestState } from '../../domain/payment-request/payment-request-state.js';
import type { App } from '../app.js';
import { basicAuth } from '../auth.js';
import { runCommand } from '../command.js';
import type { AppDeps } from '../deps.js';
import { IdempotencyHeader, v2Errors } from '../schemas.js';
import {
  AccountParams,
  AccountRequestParams,
  AuthorizeBody,
  AuthorizeHeaders,
  AuthorizeResponse,
  CreatePaymentRequestBody,
  PaymentRequest,
  RequestParams,
  UpdatePaymentRequestBody,
} from './payment-requests-v2-schemas.js';

const tags = ['payment requests (v2)'];

export function checkPartnerAccount(request: FastifyRequest, partnerAccountId: string): void {
  if (partnerAccountId !== request.account.id) throw new KassaError('NOT_FOUND', ['Not found: partner_account_id (no such partner account)']);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const raw = request.headers[name];
  return Array.isArray(raw) ? raw[0] : raw;
}

export function paymentRequestsV2Routes(app: App, deps: AppDeps): void {
  const auth = { preHandler: [basicAuth(deps)] };

  app.post(
    '/v2/accounts/:partner_account_id/payment/authorize',
    {
      ...auth,
      schema: {
        tags,
        summary: 'Authorize a payment: APPROVED, DECLINED, or STEP_UP_REQUIRED with a payment request',
        params: AccountParams,
        headers: AuthorizeHeaders,
        body: AuthorizeBody,
        response: { 200: AuthorizeResponse, ...v2Errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      checkPartnerAccount(request, (request.params as { partner_account_id: string }).partner_account_id);
      const headers = {
        networkSessionToken: header(request, 'klarna-network-session-token'),
        paymentToken: header(request, 'klarna-payment-token'),
        customerToken: header(request, 'klarna-customer-token'),
        interoperabilityToken: header(request, 'klarna-interoperability-token'),
      };
      return runCommand(deps, request, reply, async (uow) => ({
        status: 200,
        body: await authorizePayment(uow, request.body as AuthorizeBodyT, headers, deps.config.publicUrl),
      }));
    },
  );

  app.post(
    '/v2/payment/requests',
    {
      ...auth,
      schema: {
        tags,
        summary: 'Create a payment request (SUBMITTED)',
        headers: IdempotencyHeader,
        body: CreatePaymentRequestBody,
        response: { 201: PaymentRequest, ...v2Errors(400, 401) },
      },
    },
    async (request, reply) => {
      const body = request.body as PaymentRequestPatch & { amount: number; currency: string };
      const interoperabilityToken = header(request, 'klarna-interoperability-token');
      return runCommand(deps, request, reply, async (uow) => {
        const created = await createPaymentRequest(uow, {
          origin: 'direct',
          amount: body.amount,
          currency: body.currency,
          payment_request_reference: body.payment_request_reference,
          payment_option_id: body.payment_option_id,
          supplementary_purchase_data: body.supplementary_purchase_data,
          customer_interaction_config: body.customer_interaction_config,
          interoperabilityToken,
          publicUrl: deps.config.publicUrl,
          fields: { interaction: 'customer_interaction_config', amount: 'amount', currency: 'currency', supplementary: 'supplementary_purchase_data' },
        });
        return { status: 201, body: paymentRequestView(created) };
      });
    },
  );

  for (const family of ['account', 'direct'] as const) {
    const path = family === 'account' ? '/v2/accounts/:partner_account_id/payment/requests/:payment_request_id' : '/v2/payment/requests/:payment_request_id';
    const params = family === 'account' ? AccountRequestParams : RequestParams;
    const check = (request: FastifyRequest): string => {
      const p = request.params as { partner_account_id?: string; payment_request_id: string };
      if (family === 'account') checkPartnerAccount(request, p.partner_account_id!);
      return p.payment_request_id;
    };

    app.get(path, { ...auth, schema: { tags, summary: 'Read a payment request', params, response: { 200: PaymentRequest, ...v2Errors(401, 404) } } }, async (request) => {
      const id = check(request);
      const record = await deps.engine.store.getAggregate<PaymentRequestState>(request.account.id, paymentRequestType, id);
      if (!record) throw new KassaError('NOT_FOUND', ['Payment request not found']);
      return paymentRequestView(record.state) as unknown as Static<typeof PaymentRequest>;
    });

    app.patch(
      path,
      {
        ...auth,
        schema: {
          tags,
          summary: 'Update a SUBMITTED payment request (emits payment.request.updated)',
          params,
          headers: IdempotencyHeader,
          body: UpdatePaymentRequestBody,
          response: { 200: PaymentRequest, ...v2Errors(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const id = check(request);
        return runCommand(deps, request, reply, async (uow) => ({ status: 200, body: paymentRequestView(await updatePaymentRequest(uow, id, request.body as PaymentRequestPatch)) }));
      },
    );

    app.delete(
      path,
      { ...auth, schema: { tags, summary: 'Cancel a SUBMITTED or IN_PROGRESS payment request', params, headers: IdempotencyHeader, response: { 200: PaymentRequest, ...v2Errors(401, 404, 409) } } },
      async (request, reply) => {
        const id = check(request);
        return runCommand(deps, request, reply, async (uow) => ({ status: 200, body: paymentRequestView(await cancelPaymentRequest(uow, id)) }));
      },
    );
  }
}
