/**
 * TypeBox schemas for Klarna's order data: order lines, addresses, customer, merchant URLs, and
 * the session / create-order bodies (reference §1). They check types and field limits; the
 * cross-field rules (line totals, tax, sums, market) are in src/domain/session/validate-order.ts.
 * Unknown fields are accepted and ignored, as Klarna does.
 */
import { Type, type Static } from '@sinclair/typebox';
import { limits } from '../../domain/limits.js';

const Str = (maxLength: number, extra: object = {}) => Type.String({ maxLength, ...extra });
const Amount = Type.Integer({ minimum: -limits.amountMax, maximum: limits.amountMax, description: 'Minor units (2500 = 25.00)' });
const NonNegativeAmount = Type.Integer({ minimum: 0, maximum: limits.amountMax });
const Url = (maxLength: number) => Type.String({ maxLength, minLength: 1 });

export const OrderLineTypes = ['physical', 'discount', 'shipping_fee', 'sales_tax', 'digital', 'gift_card', 'store_credit', 'surcharge'] as const;

export const ProductIdentifiers = Type.Object({
  brand: Type.Optional(Str(70)),
  category_path: Type.Optional(Str(750)),
  global_trade_item_number: Type.Optional(Str(50)),
  manufacturer_part_number: Type.Optional(Str(70)),
  color: Type.Optional(Str(64)),
  size: Type.Optional(Str(64)),
});

export const Subscription = Type.Object({
  name: Str(255),
  interval: Type.Union([Type.Literal('DAY'), Type.Literal('WEEK'), Type.Literal('MONTH'), Type.Literal('YEAR')]),
  interval_count: Type.Integer({ minimum: 1, maximum: 1000 }),
});

export function orderLineSchema(types: readonly string[] = OrderLineTypes, quantityUnitMax = limits.quantityUnitCharsMax) {
  return Type.Object({
    type: Type.Optional(Type.Union(types.map((t) => Type.Literal(t)))),
    reference: Type.Optional(Str(limits.orderLineReferenceCharsMax)),
    name: Type.String({ minLength: 1, maxLength: limits.orderLineNameCharsMax }),
    quantity: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    quantity_unit: Type.Optional(Type.String({ minLength: 1, maxLength: quantityUnitMax })),
    unit_price: Amount,
    tax_rate: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000, description: 'Two implicit decimals: 2500 = 25 %' })),
    total_amount: Amount,
    total_discount_amount: Type.Optional(NonNegativeAmount),
    total_tax_amount: Type.Optional(Amount),
    merchant_data: Type.Optional(Str(1024)),
    product_url: Type.Optional(Url(limits.productUrlCharsMax)),
    image_url: Type.Optional(Url(limits.productUrlCharsMax)),
    product_identifiers: Type.Optional(ProductIdentifiers),
    subscription: Type.Optional(Subscription),
  });
}

export const OrderLine = orderLineSchema();

export const Address = Type.Object({
  given_name: Type.Optional(Str(100)),
  family_name: Type.Optional(Str(100)),
  email: Type.Optional(Str(100)),
  title: Type.Optional(Str(20)),
  street_address: Type.Optional(Str(100)),
  street_address2: Type.Optional(Str(100)),
  postal_code: Type.Optional(Str(10)),
  city: Type.Optional(Str(200)),
  region: Type.Optional(Str(200)),
  phone: Type.Optional(Str(30)),
  country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
  organization_name: Type.Optional(Str(100)),
  attention: Type.Optional(Str(100)),
});

export const Customer = Type.Object({
  date_of_birth: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  title: Type.Optional(Str(20)),
  gender: Type.Optional(Str(20)),
  last_four_ssn: Type.Optional(Str(4)),
  national_identification_number: Type.Optional(Str(50)),
  type: Type.Optional(Str(20)),
  vat_id: Type.Optional(Str(50)),
  organization_registration_id: Type.Optional(Str(50)),
  organization_entity_type: Type.Optional(Str(50)),
  email: Type.Optional(Str(100)),
  phone: Type.Optional(Str(30)),
});

export const MerchantUrls = Type.Object({
  confirmation: Type.Optional(Url(limits.merchantUrlCharsMax)),
  notification: Type.Optional(Url(limits.merchantUrlCharsMax)),
  push: Type.Optional(Url(limits.merchantUrlCharsMax)),
  authorization: Type.Optional(Url(limits.merchantUrlCharsMax)),
});

export const Attachment = Type.Object({ content_type: Str(100), body: Str(100_000) });

export const Intent = Type.Union([Type.Literal('buy'), Type.Literal('tokenize'), Type.Literal('buy_and_tokenize')]);
export const AcquiringChannel = Type.Union([Type.Literal('ECOMMERCE'), Type.Literal('IN_STORE'), Type.Literal('TELESALES')]);

const orderDataFields = {
  purchase_country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' }),
  purchase_currency: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217' }),
  locale: Type.Optional(Type.String({ maxLength: 10, description: 'RFC 1766, e.g. en-US' })),
  order_amount: NonNegativeAmount,
  order_tax_amount: Type.Optional(Amount),
  order_lines: Type.Array(OrderLine, { minItems: 1, maxItems: limits.orderLinesMax }),
  merchant_reference1: Type.Optional(Str(limits.merchantReferenceCharsMax)),
  merchant_reference2: Type.Optional(Str(limits.merchantReferenceCharsMax)),
  merchant_data: Type.Optional(Str(limits.merchantDataCharsMax)),
  merchant_urls: Type.Optional(MerchantUrls),
  billing_address: Type.Optional(Address),
  shipping_address: Type.Optional(Address),
  customer: Type.Optional(Customer),
  attachment: Type.Optional(Attachment),
};

export const SessionCreateBody = Type.Object({
  ...orderDataFields,
  intent: Type.Optional(Intent),
  acquiring_channel: Type.Optional(AcquiringChannel),
  options: Type.Optional(Type.Object({})),
  custom_payment_method_ids: Type.Optional(Type.Array(Str(100), { maxItems: 50 })),
  design: Type.Optional(Str(100)),
});
export type SessionCreateBody = Static<typeof SessionCreateBody>;

export const SessionUpdateBody = Type.Partial(SessionCreateBody);
export type SessionUpdateBody = Static<typeof SessionUpdateBody>;

export const CreateOrderBody = Type.Object({ ...orderDataFields, auto_capture: Type.Optional(Type.Boolean()) });
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const CustomerTokenBody = Type.Object({
  description: Type.String({ minLength: 1, maxLength: 255 }),
  intended_use: Type.Literal('SUBSCRIPTION'),
  locale: Type.String({ maxLength: 10 }),
  purchase_country: Type.String({ pattern: '^[A-Za-z]{2}$' }),
  purchase_currency: Type.String({ pattern: '^[A-Za-z]{3}$' }),
  billing_address: Type.Optional(Address),
  customer: Type.Optional(Customer),
});
export type CustomerTokenBody = Static<typeof CustomerTokenBody>;

export const PaymentMethodCategory = Type.Object({
  identifier: Type.String(),
  name: Type.String(),
  asset_urls: Type.Object({ descriptive: Type.String(), standard: Type.String() }),
});
