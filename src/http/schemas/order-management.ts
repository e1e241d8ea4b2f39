/**
 * TypeBox schemas for Order Management v1 (reference §2): request bodies (types and field limits;
 * the business rules are in src/domain/order/) and the order, capture and refund objects shown.
 * Unknown request fields are accepted and ignored, as Klarna does. OM order lines also allow the
 * `return_fee` type and a `quantity_unit` of up to 10 characters.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { limits } from '../../domain/limits.js';
import { Address, OrderLineTypes, orderLineSchema } from './order-data.js';

const Str = (maxLength: number, extra: object = {}) => Type.String({ maxLength, ...extra });
const PositiveAmount = Type.Integer({ minimum: 1, maximum: limits.amountMax, description: 'Minor units (2500 = 25.00)' });

export const omOrderLineTypes = [...OrderLineTypes, 'return_fee'] as const;

/** OM order lines: the Payments line, plus the `return_fee` type and `quantity_unit` ≤ 10. */
// (orderLineSchema's second parameter is typed from its default, the literal 8; widen it.)
export const OmOrderLine = (orderLineSchema as (types: readonly string[], quantityUnitMax: number) => ReturnType<typeof orderLineSchema>)(omOrderLineTypes, 10);

const OrderLines = Type.Array(OmOrderLine, { maxItems: limits.orderLinesMax });

export const OmAddress = Address;

export const shippingMethods = [
  'PickUpStore', 'Home', 'BoxReg', 'BoxUnreg', 'PickUpPoint', 'Own', 'Postal', 'DHLPackstation', 'Digital', 'Undefined', 'PickUpWarehouse', 'ClickCollect', 'PalletDelivery',
] as const;

export const ShippingInfoItem = Type.Object({
  shipping_company: Type.Optional(Str(100)),
  shipping_method: Type.Optional(Type.Union(shippingMethods.map((m) => Type.Literal(m)))),
  tracking_number: Type.Optional(Str(100)),
  tracking_uri: Type.Optional(Str(1024)),
  return_shipping_company: Type.Optional(Str(100)),
  return_tracking_number: Type.Optional(Str(100)),
  return_tracking_uri: Type.Optional(Str(1024)),
});
const ShippingInfoList = Type.Array(ShippingInfoItem, { maxItems: limits.shippingInfoMax });

// ---- request bodies

export const CaptureBody = Type.Object({
  captured_amount: PositiveAmount,
  description: Type.Optional(Str(255)),
  reference: Type.Optional(Str(255)),
  order_lines: Type.Optional(OrderLines),
  shipping_info: Type.Optional(ShippingInfoList),
  shipping_delay: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 * 24 * 60 })),
});
export type CaptureBody = Static<typeof CaptureBody>;

export const RefundBody = Type.Object({
  refunded_amount: PositiveAmount,
  description: Type.Optional(Str(255)),
  reference: Type.Optional(Str(255)),
  order_lines: Type.Optional(OrderLines),
});
export type RefundBody = Static<typeof RefundBody>;

export const UpdateAuthorizationBody = Type.Object({
  order_amount: PositiveAmount,
  description: Type.Optional(Str(255)),
  order_lines: Type.Optional(OrderLines),
});
export type UpdateAuthorizationBody = Static<typeof UpdateAuthorizationBody>;

export const MerchantReferencesBody = Type.Object({
  merchant_reference1: Type.Optional(Str(limits.merchantReferenceCharsMax)),
  merchant_reference2: Type.Optional(Str(limits.merchantReferenceCharsMax)),
});
export type MerchantReferencesBody = Static<typeof MerchantReferencesBody>;

export const CustomerDetailsBody = Type.Object({
  shipping_address: Type.Optional(OmAddress),
  billing_address: Type.Optional(OmAddress),
});
export type CustomerDetailsBody = Static<typeof CustomerDetailsBody>;

export const ShippingInfoBody = Type.Object({ shipping_info: ShippingInfoList });
export type ShippingInfoBody = Static<typeof ShippingInfoBody>;

export const ExtendDueDateBody = Type.Object({ number_of_days: Type.Integer({ minimum: 1, maximum: 365 }) });
export type ExtendDueDateBody = Static<typeof ExtendDueDateBody>;

// ---- responses (nested free-form objects pass through whole)

const Open = (description?: string): TSchema => Type.Object({}, { additionalProperties: true, description });
const StringEnum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });

export const CaptureObject = Type.Object({
  capture_id: Type.String(),
  klarna_reference: Type.String(),
  captured_amount: Type.Integer(),
  captured_at: Type.String({ format: 'date-time' }),
  description: Type.Optional(Type.String()),
  reference: Type.Optional(Type.String()),
  order_lines: Type.Array(Open('order line')),
  refunded_amount: Type.Integer(),
  billing_address: Type.Optional(Open('address')),
  shipping_address: Type.Optional(Open('address')),
  shipping_info: Type.Array(Open('shipping info')),
});

export const RefundObject = Type.Object({
  refund_id: Type.String(),
  refunded_amount: Type.Integer(),
  refunded_at: Type.String({ format: 'date-time' }),
  description: Type.Optional(Type.String()),
  reference: Type.Optional(Type.String()),
  order_lines: Type.Array(Open('order line')),
});

export const OrderObject = Type.Object({
  order_id: Type.String(),
  status: StringEnum(['AUTHORIZED', 'PART_CAPTURED', 'CAPTURED', 'CANCELLED', 'EXPIRED', 'CLOSED'] as const),
  fraud_status: StringEnum(['ACCEPTED', 'PENDING', 'REJECTED'] as const),
  original_order_amount: Type.Integer(),
  order_amount: Type.Integer(),
  captured_amount: Type.Integer(),
  refunded_amount: Type.Integer(),
  remaining_authorized_amount: Type.Integer(),
  purchase_currency: Type.String(),
  purchase_country: Type.String(),
  locale: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  klarna_reference: Type.String(),
  merchant_reference1: Type.Optional(Type.String()),
  merchant_reference2: Type.Optional(Type.String()),
  merchant_data: Type.Optional(Type.String()),
  order_lines: Type.Array(Open('order line')),
  captures: Type.Array(CaptureObject),
  refunds: Type.Array(RefundObject),
  shipping_info: Type.Array(Open('shipping info')),
  billing_address: Type.Optional(Open('address')),
  shipping_address: Type.Optional(Open('address')),
  customer: Type.Optional(Open('customer')),
  initial_payment_method: Type.Object({ type: Type.String(), description: Type.String(), number_of_installments: Type.Optional(Type.Integer()) }),
});

export const ExtendDueDateOptions = Type.Object({
  currency: Type.String(),
  options: Type.Array(Type.Object({ number_of_days: Type.Integer(), amount: Type.Integer() })),
});
