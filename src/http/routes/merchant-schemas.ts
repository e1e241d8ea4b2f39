/**
 * TypeBox schemas of the merchant API (/merchant/v1): request bodies (validation) and response
 * shapes (OpenAPI). Amounts are integers in minor units.
 */
import { Type } from '@sinclair/typebox';
import { limits } from '../../domain/limits.js';
import { Address, Customer, OrderLine } from '../schemas/order-data.js';
import { ShippingInfoItem } from '../schemas/order-management.js';

const PositiveAmount = Type.Integer({ minimum: 1, maximum: limits.amountMax });
const Free = Type.Object({}, { additionalProperties: true });

const OrderLines = Type.Array(OrderLine, { minItems: 1, maxItems: limits.orderLinesMax });
const ShippingInfos = Type.Array(ShippingInfoItem, { maxItems: limits.shippingInfoMax });
const Description = Type.String({ maxLength: 255 });

export const CheckoutBody = Type.Object(
  {
    purchase_country: Type.String({ pattern: '^[A-Za-z]{2}$' }),
    purchase_currency: Type.String({ pattern: '^[A-Za-z]{3}$' }),
    locale: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 })),
    order_amount: Type.Integer({ minimum: 0, maximum: limits.amountMax }),
    order_tax_amount: Type.Integer({ minimum: 0, maximum: limits.amountMax }),
    order_lines: OrderLines,
    merchant_reference1: Type.Optional(Type.String({ maxLength: limits.merchantReferenceCharsMax })),
    merchant_reference2: Type.Optional(Type.String({ maxLength: limits.merchantReferenceCharsMax })),
    billing_address: Type.Optional(Address),
    shipping_address: Type.Optional(Address),
    customer: Type.Optional(Customer),
    confirmation_url: Type.Optional(Type.String({ maxLength: limits.merchantUrlCharsMax, pattern: '^https?://' })),
  },
  { additionalProperties: false, description: 'The cart to check out' },
);

/** What the JS SDK hands the page: printable ASCII (it goes into the provider's URL path). */
const AuthorizationToken = Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' });

export const AuthorizeBody = Type.Object({ authorization_token: AuthorizationToken }, { additionalProperties: false });

export const ShipBody = Type.Object(
  {
    shipping_info: Type.Optional(ShippingInfos),
    capture: Type.Optional(Type.Boolean({ description: 'Capture on shipment (default: the capture_on_shipment setting, true)' })),
    captured_amount: Type.Optional(PositiveAmount),
    order_lines: Type.Optional(OrderLines),
    description: Type.Optional(Description),
  },
  { additionalProperties: false },
);

export const CaptureBody = Type.Object(
  { captured_amount: PositiveAmount, order_lines: Type.Optional(OrderLines), shipping_info: Type.Optional(ShippingInfos), description: Type.Optional(Description) },
  { additionalProperties: false },
);

export const RefundBody = Type.Object({ refunded_amount: PositiveAmount, description: Type.Optional(Description), order_lines: Type.Optional(OrderLines) }, { additionalProperties: false });

export const CartBody = Type.Object(
  { order_amount: Type.Integer({ minimum: 0, maximum: limits.amountMax }), order_tax_amount: Type.Integer({ minimum: 0, maximum: limits.amountMax }), order_lines: OrderLines },
  { additionalProperties: false },
);

export const EmptyBody = Type.Optional(Type.Object({}, { additionalProperties: false }));

export const ConnectionBody = Type.Object(
  {
    base_url: Type.String({ minLength: 8, maxLength: limits.merchantConnectionUrlCharsMax, pattern: '^https?://[^\\s]+$' }),
    username: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const ConnectionView = Type.Object({
  connection_id: Type.String(),
  base_url: Type.String(),
  username: Type.String(),
  source: Type.Union([Type.Literal('default'), Type.Literal('configured')]),
  created_at: Type.String(),
});

export const SettingsBody = Type.Object(
  {
    recheck_interval_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600 })),
    capture_on_shipment: Type.Optional(Type.Boolean()),
    settlement_poll_interval_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 24 * 3600 })),
    payout_delay_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600 })),
  },
  { additionalProperties: false },
);

export const SettingsView = Type.Object({
  recheck_interval_seconds: Type.Integer(),
  capture_on_shipment: Type.Boolean(),
  settlement_poll_interval_seconds: Type.Integer(),
  payout_delay_seconds: Type.Integer(),
});

export const RequestView = Type.Object(
  {
    request_id: Type.String(),
    order_id: Type.String(),
    kind: Type.String({ description: 'session, authorization, check_status, reversal, capture, capture_status, refund, refund_status, update_authorization, extend_authorization, shipping_info' }),
    status: Type.String({ description: "Cybersource's status for the kind (PENDING while the outcome is not known)" }),
    status_history: Type.Array(Type.Object({ status: Type.String(), at: Type.String() })),
    created_at: Type.String(),
    updated_at: Type.String(),
    attempts: Type.Integer(),
  },
  { additionalProperties: true },
);

export const OrderView = Type.Object(
  {
    order_id: Type.String(),
    state: Type.String({ description: 'Position in the merchant workflow (docs/merchant-role.md)' }),
    order_status: Type.String({ description: 'MultiSafepay order status' }),
    transaction_status: Type.String({ description: 'MultiSafepay transaction status' }),
    checkout: Type.Union([
      Type.Object({ session_id: Type.String(), client_token: Type.String(), payment_method_categories: Type.Array(Free), expires_at: Type.String() }),
      Type.Null(),
    ]),
    captured_amount: Type.Integer(),
    refunded_amount: Type.Integer(),
    captures: Type.Array(Free),
    refunds: Type.Array(Free),
    requests: Type.Array(RequestView),
    pending_steps: Type.Array(Free),
    timeline: Type.Array(Free),
  },
  { additionalProperties: true },
);

export const NotificationBody = Type.Object(
  {
    order_id: Type.Optional(Type.String({ maxLength: 200 })),
    event_type: Type.Optional(Type.String({ maxLength: 100 })),
    capture_id: Type.Optional(Type.String({ maxLength: 200 })),
    authorization_token: Type.Optional(AuthorizationToken),
    session_id: Type.Optional(Type.String({ maxLength: 200 })),
    metadata: Type.Optional(Free),
    payload: Type.Optional(Free),
  },
  { additionalProperties: true, description: 'A Klarna notification (v1: order_id, event_type; or a v2 webhook envelope)' },
);
