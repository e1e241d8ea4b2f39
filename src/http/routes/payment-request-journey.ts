/**
 * The headless side of a payment request's purchase journey, for tests and scripts:
 *
 * - `POST /sandbox/v2/payment/requests/{id}/journey` — `{"action": "enter"|"approve"|"abort"|"decline",
 *   "customer": {...}}` runs the same journey function the browser journey runs and answers
 *   `{payment_request, redirect_url, ignored}`: the redirect_url the browser would be sent to.
 *
 * The customer's browser side — what `payment_request_url` opens — is the shared purchase journey
 * (src/web/journey/, docs/journey.md) with the `payment-request` subject
 * (src/web/journey/payment-request-subject.ts), over the same functions
 * (src/app/payment-requests/journey.ts).
 */
import { Type } from '@sinclair/typebox';
import { runJourneyAction, type JourneyAction, type JourneyCustomer } from '../../app/payment-requests/journey.js';
import { paymentRequestView } from '../../app/payment-requests/view.js';
import type { App } from '../app.js';
import { basicAuth, requireSandbox } from '../auth.js';
import { runCommand } from '../command.js';
import type { AppDeps } from '../deps.js';
import { IdempotencyHeader, v2Errors } from '../schemas.js';
import { PaymentRequest, RequestParams } from './payment-requests-v2-schemas.js';

const JourneyBody = Type.Object(
  {
    action: Type.Union([Type.Literal('enter'), Type.Literal('approve'), Type.Literal('abort'), Type.Literal('decline')]),
    customer: Type.Optional(
      Type.Object(
        {
          email: Type.Optional(Type.String({ maxLength: 255 })),
          phone: Type.Optional(Type.String({ maxLength: 50 })),
          given_name: Type.Optional(Type.String({ maxLength: 255 })),
          family_name: Type.Optional(Type.String({ maxLength: 255 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export function paymentRequestJourneyRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/sandbox/v2/payment/requests/:payment_request_id/journey',
    {
      onRequest: [requireSandbox(deps)],
      preHandler: [basicAuth(deps)],
      schema: {
        tags: ['sandbox'],
        summary: 'Drive the purchase journey of a payment request headlessly; answers the redirect_url the browser would get',
        params: RequestParams,
        headers: IdempotencyHeader,
        body: JourneyBody,
        response: { 200: Type.Object({ payment_request: PaymentRequest, redirect_url: Type.Union([Type.String(), Type.Null()]), ignored: Type.Boolean() }), ...v2Errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const { payment_request_id: id } = request.params as { payment_request_id: string };
      const body = request.body as { action: JourneyAction; customer?: JourneyCustomer };
      return runCommand(deps, request, reply, async (uow) => {
        const outcome = await runJourneyAction(uow, id, body.action, body.customer);
        return { status: 200, body: { payment_request: paymentRequestView(outcome.request), redirect_url: outcome.redirect_url, ignored: outcome.ignored } };
      });
    },
  );
}
