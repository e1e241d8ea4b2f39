/**
 * Sandbox helper: conclude an order's pending fraud review now with the outcome given, instead of
 * waiting for the persona's review time on the account clock (`customer+pend-accept-05@…`). The
 * same command the dashboard's Accept / Reject buttons run (src/app/orders/fraud-review-now.ts):
 * the merchant is notified (FRAUD_RISK_ACCEPTED / FRAUD_RISK_REJECTED) and a rejected order is
 * cancelled. 403 NOT_ALLOWED when the review is already over.
 */
import { Type } from '@sinclair/typebox';
import { concludeFraudReviewNow } from '../../app/orders/fraud-review-now.js';
import { orderView } from '../../domain/order/order-view.js';
import type { App } from '../app.js';
import { basicAuth, requireSandbox } from '../auth.js';
import { runCommand } from '../command.js';
import type { AppDeps } from '../deps.js';
import { OrderObject } from '../schemas/order-management.js';
import { IdempotencyHeader, PathId, v1Errors } from '../schemas.js';

export function fraudReviewSandboxRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/sandbox/v1/orders/:order_id/fraud-review',
    {
      onRequest: [requireSandbox(deps)],
      preHandler: [basicAuth(deps)],
      schema: {
        tags: ['sandbox'],
        summary: "Conclude the order's pending fraud review now (ACCEPTED or REJECTED); answers the order",
        params: Type.Object({ order_id: PathId }),
        headers: IdempotencyHeader,
        body: Type.Object({ outcome: Type.Union([Type.Literal('ACCEPTED'), Type.Literal('REJECTED')]) }, { additionalProperties: false }),
        response: { 200: OrderObject, ...v1Errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        const { order_id } = request.params as { order_id: string };
        const { outcome } = request.body as { outcome: 'ACCEPTED' | 'REJECTED' };
        return { status: 200, body: orderView(await concludeFraudReviewNow(uow, order_id, outcome)) };
      }),
  );
}
