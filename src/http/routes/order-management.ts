/**
 * Order Management API v1 (reference §2): the 18 operations on orders placed through Payments v1,
 * customer tokens and v2 transactions. Every mutating route is one engine command through
 * `runCommand` (Klarna-Idempotency-Key, one transaction); reads are scoped by the calling account,
 * so another account's order is 404 NO_SUCH_ORDER. Unknown captures are 404 NO_SUCH_CAPTURE and
 * unknown refunds 404 NOT_FOUND, as documented. Success bodies: 204 empty, captures and refunds
 * 201 empty with `Location` and `Capture-Id` / `Refund-Id`.
 */
import { Type } from '@sinclair/typebox';
import { captureOrder, refundOrder } from '../../app/orders/capture-refund.js';
import { changeOrder } from '../../app/orders/manage-order.js';
import { orderType } from '../../app/orders/place-order.js';
import { KassaError, isRejection } from '../../domain/errors.js';
import {
  decideCaptureShippingInfo,
  decideExtendDueDate,
  decideTriggerSendOut,
  dueDateExtensionOptions,
} from '../../domain/order/decide-capture.js';
import { decideCancel, decideExtendAuthorization, decideReleaseRemaining, decideUpdateAuthorization } from '../../domain/order/decide-authorization.js';
import { decideAcknowledge, decideCustomerDetails, decideMerchantReferences, decideOrderShippingInfo } from '../../domain/order/decide-order-details.js';
import type { DecideResult } from '../../domain/order/order-decision.js';
import type { OrderState } from '../../domain/order/order-state.js';
import { orderView } from '../../domain/order/order-view.js';
import type { App } from '../app.js';
import { basicAuth } from '../auth.js';
import { runCommand } from '../command.js';
import type { AppDeps } from '../deps.js';
import { allowEmptyJsonBody } from '../empty-json-body.js';
import { Empty, IdempotencyHeader, PathId, v1Errors } from '../schemas.js';
import {
  CaptureBody,
  CaptureObject,
  CustomerDetailsBody,
  ExtendDueDateBody,
  ExtendDueDateOptions,
  MerchantReferencesBody,
  OrderObject,
  RefundBody,
  RefundObject,
  ShippingInfoBody,
  UpdateAuthorizationBody,
} from '../schemas/order-management.js';

const base = '/ordermanagement/v1/orders';
const OrderParams = Type.Object({ order_id: PathId });
const CaptureParams = Type.Object({ order_id: PathId, capture_id: PathId });
const RefundParams = Type.Object({ order_id: PathId, refund_id: PathId });
type OrderParams = { order_id: string };
type CaptureParams = { order_id: string; capture_id: string };
type RefundParams = { order_id: string; refund_id: string };

const tags = ['ordermanagement'];
const mutationErrors = v1Errors(400, 401, 403, 404, 409);
const readErrors = v1Errors(401, 404);

export function orderManagementRoutes(app: App, deps: AppDeps): void {
  allowEmptyJsonBody(app);
  const preHandler = [basicAuth(deps)];

  const readOrder = async (accountId: string, orderId: string): Promise<OrderState> => {
    const record = await deps.engine.store.getAggregate<OrderState>(accountId, orderType, orderId);
    if (!record) throw new KassaError('NO_SUCH_ORDER', [`No order with id ${orderId}`]);
    return record.state;
  };
  const url = (path: string) => `${deps.config.publicUrl}${path}`;

  /** A body-less or simple mutation answered 204. */
  const noContent = (
    method: 'POST' | 'PATCH',
    path: string,
    summary: string,
    body: object | undefined,
    apply: (request: { params: CaptureParams & OrderParams; body: unknown; now: number }) => (order: OrderState) => DecideResult,
  ) =>
    app.route({
      method,
      url: `${base}${path}`,
      preHandler,
      schema: { tags, summary, params: path.includes(':capture_id') ? CaptureParams : OrderParams, headers: IdempotencyHeader, ...(body ? { body } : {}), response: { 204: Empty, ...mutationErrors } },
      handler: async (request, reply) =>
        runCommand(deps, request, reply, async (uow) => {
          const params = request.params as CaptureParams;
          await changeOrder(uow, params.order_id, apply({ params, body: request.body, now: uow.now }));
          return { status: 204 };
        }),
    });

  app.get(
    `${base}/:order_id`,
    { preHandler, schema: { tags, summary: 'Get an order', params: OrderParams, response: { 200: OrderObject, ...readErrors } } },
    async (request) => orderView(await readOrder(request.account.id, (request.params as OrderParams).order_id)),
  );

  noContent('POST', '/:order_id/acknowledge', 'Acknowledge an order', undefined, () => decideAcknowledge);
  noContent('POST', '/:order_id/cancel', 'Cancel an order (only while nothing is captured)', undefined, () => decideCancel);
  noContent('PATCH', '/:order_id/authorization', 'Update the authorized amount and order lines', UpdateAuthorizationBody, ({ body, now }) => (order) =>
    decideUpdateAuthorization(order, body as UpdateAuthorizationBody, { now }),
  );
  noContent('POST', '/:order_id/extend-authorization-time', 'Extend the capture deadline (28 days from today, at most 180 days after creation)', undefined, ({ now }) => (order) =>
    decideExtendAuthorization(order, { now }),
  );
  noContent('POST', '/:order_id/release-remaining-authorization', 'Release the remaining authorization', undefined, () => decideReleaseRemaining);
  noContent('PATCH', '/:order_id/merchant-references', 'Update merchant references', MerchantReferencesBody, ({ body }) => (order) =>
    decideMerchantReferences(order, body as MerchantReferencesBody),
  );
  noContent('PATCH', '/:order_id/customer-details', 'Update customer addresses', CustomerDetailsBody, ({ body }) => (order) =>
    decideCustomerDetails(order, body as CustomerDetailsBody),
  );
  noContent('POST', '/:order_id/shipping-info', 'Add shipping info to an order', ShippingInfoBody, ({ body }) => (order) =>
    decideOrderShippingInfo(order, (body as ShippingInfoBody).shipping_info),
  );

  app.post(
    `${base}/:order_id/captures`,
    { preHandler, schema: { tags, summary: 'Capture (all or part of) the order', params: OrderParams, headers: IdempotencyHeader, body: CaptureBody, response: { 201: Empty, ...mutationErrors } } },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        const { order_id } = request.params as OrderParams;
        const captureId = await captureOrder(uow, order_id, request.body as CaptureBody);
        return { status: 201, headers: { Location: url(`${base}/${encodeURIComponent(order_id)}/captures/${captureId}`), 'Capture-Id': captureId } };
      }),
  );

  app.get(
    `${base}/:order_id/captures`,
    { preHandler, schema: { tags, summary: "List an order's captures", params: OrderParams, response: { 200: Type.Array(CaptureObject), ...readErrors } } },
    async (request) => (await readOrder(request.account.id, (request.params as OrderParams).order_id)).captures,
  );

  app.get(
    `${base}/:order_id/captures/:capture_id`,
    { preHandler, schema: { tags, summary: 'Get a capture', params: CaptureParams, response: { 200: CaptureObject, ...readErrors } } },
    async (request) => {
      const { order_id, capture_id } = request.params as CaptureParams;
      const capture = (await readOrder(request.account.id, order_id)).captures.find((c) => c.capture_id === capture_id);
      if (!capture) throw new KassaError('NO_SUCH_CAPTURE', [`No capture with id ${capture_id} on this order`]);
      return capture;
    },
  );

  noContent('POST', '/:order_id/captures/:capture_id/shipping-info', 'Add shipping info to a capture', ShippingInfoBody, ({ params, body }) => (order) =>
    decideCaptureShippingInfo(order, params.capture_id, (body as ShippingInfoBody).shipping_info),
  );
  noContent('POST', '/:order_id/captures/:capture_id/trigger-send-out', "Trigger a new send-out of the capture's customer communication", undefined, ({ params }) => (order) =>
    decideTriggerSendOut(order, params.capture_id),
  );

  app.get(
    `${base}/:order_id/captures/:capture_id/extend-due-date-options`,
    { preHandler, schema: { tags, summary: "Options for extending a capture's invoice due date", params: CaptureParams, response: { 200: ExtendDueDateOptions, ...readErrors } } },
    async (request) => {
      const { order_id, capture_id } = request.params as CaptureParams;
      const options = dueDateExtensionOptions(await readOrder(request.account.id, order_id), capture_id);
      if (isRejection(options)) throw KassaError.from(options);
      return options;
    },
  );

  noContent('PATCH', '/:order_id/captures/:capture_id/extend-due-date', "Extend a capture's invoice due date", ExtendDueDateBody, ({ params, body }) => (order) =>
    decideExtendDueDate(order, params.capture_id, (body as ExtendDueDateBody).number_of_days),
  );

  app.post(
    `${base}/:order_id/refunds`,
    { preHandler, schema: { tags, summary: 'Refund (part of) what was captured', params: OrderParams, headers: IdempotencyHeader, body: RefundBody, response: { 201: Empty, ...mutationErrors } } },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        const { order_id } = request.params as OrderParams;
        const refundId = await refundOrder(uow, order_id, request.body as RefundBody);
        return { status: 201, headers: { Location: url(`${base}/${encodeURIComponent(order_id)}/refunds/${refundId}`), 'Refund-Id': refundId } };
      }),
  );

  app.get(
    `${base}/:order_id/refunds/:refund_id`,
    { preHandler, schema: { tags, summary: 'Get a refund', params: RefundParams, response: { 200: RefundObject, ...readErrors } } },
    async (request) => {
      const { order_id, refund_id } = request.params as RefundParams;
      const refund = (await readOrder(request.account.id, order_id)).refunds.find((r) => r.refund_id === refund_id);
      if (!refund) throw new KassaError('NOT_FOUND', [`No refund with id ${refund_id} on this order`]);
      return refund;
    },
  );
}
