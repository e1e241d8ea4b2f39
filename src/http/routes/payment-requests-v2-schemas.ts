/**
 * TypeBox schemas of the v2 acquiring-partner payment API (reference §4): validation, serialization
 * and /openapi.json from one source. Top-level bodies refuse unknown fields; the
 * `supplementary_purchase_data` object accepts Klarna's many optional purchase fields (stored as
 * given) and type-checks the ones Kassa uses (customer, line_items).
 */
import { Type } from '@sinclair/typebox';
import { limits } from '../../domain/limits.js';
import { PathId } from '../schemas.js';

const Str = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Free = (description: string) => Type.Object({}, { additionalProperties: true, description });

export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code' });
export const Amount = Type.Integer({ minimum: 1, maximum: limits.amountMax, description: 'Minor units (11800 = 118.00)' });

export const InteractionExpiry = Type.Object(
  {
    duration: Type.Optional(Type.String({ minLength: 2, maxLength: 40, description: 'ISO-8601 duration, PT15M to PT48H' })),
    timestamp: Type.Optional(Type.String({ minLength: 10, maxLength: 40, description: 'ISO-8601 date-time, 15 min to 48 h ahead' })),
  },
  { additionalProperties: false },
);

export const CustomerInteractionConfig = Type.Object(
  {
    method: Type.Optional(Type.Literal('HANDOVER')),
    return_url: Type.Optional(Type.String({ minLength: 1, maxLength: limits.returnUrlCharsMax, description: 'May contain {klarna.payment_request.*} placeholders' })),
    app_return_url: Type.Optional(Type.String({ minLength: 1, maxLength: limits.returnUrlCharsMax })),
    interaction_expiry: Type.Optional(InteractionExpiry),
  },
  { additionalProperties: false },
);

const LineItem = Type.Object(
  {
    name: Str(255),
    quantity: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    total_amount: Type.Integer({ minimum: -limits.amountMax, maximum: limits.amountMax }),
    unit_price: Type.Optional(Type.Integer({ minimum: -limits.amountMax, maximum: limits.amountMax })),
    total_tax_amount: Type.Optional(Type.Integer({ minimum: -limits.amountMax, maximum: limits.amountMax })),
    line_item_reference: Type.Optional(Str(255)),
    product_url: Type.Optional(Str(limits.productUrlCharsMax)),
    image_url: Type.Optional(Str(limits.productUrlCharsMax)),
  },
  { additionalProperties: true },
);

const Customer = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 255 })),
    phone: Type.Optional(Type.String({ maxLength: 50 })),
    given_name: Type.Optional(Type.String({ maxLength: 255 })),
    family_name: Type.Optional(Type.String({ maxLength: 255 })),
    address: Type.Optional(Type.Object({ country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })) }, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

export const SupplementaryPurchaseData = Type.Object(
  {
    purchase_reference: Type.Optional(Str(255)),
    line_items: Type.Optional(Type.Array(LineItem, { maxItems: limits.lineItemsMax })),
    customer: Type.Optional(Customer),
    shipping: Type.Optional(Type.Array(Free('Shipping recipient and address'), { maxItems: 50 })),
  },
  { additionalProperties: true },
);

export const AuthorizeBody = Type.Object(
  {
    currency: Currency,
    request_payment_transaction: Type.Object(
      {
        amount: Amount,
        payment_transaction_reference: Type.Optional(Str(limits.paymentReferenceCharsMax)),
        payment_option_id: Type.Optional(Str(255)),
      },
      { additionalProperties: false },
    ),
    supplementary_purchase_data: Type.Optional(SupplementaryPurchaseData),
    step_up_config: Type.Optional(
      Type.Object(
        {
          payment_request_reference: Type.Optional(Str(limits.paymentReferenceCharsMax)),
          customer_interaction_config: Type.Optional(CustomerInteractionConfig),
        },
        { additionalProperties: false },
      ),
    ),
    interoperability_data: Type.Optional(Type.String({ maxLength: 10_000 })),
  },
  { additionalProperties: false },
);

const TokenHeader = Type.String({ minLength: 1, maxLength: 500 });
export const AuthorizeHeaders = Type.Object({
  'klarna-network-session-token': Type.Optional(TokenHeader),
  'klarna-payment-token': Type.Optional(TokenHeader),
  'klarna-customer-token': Type.Optional(TokenHeader),
  'klarna-interoperability-token': Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  'klarna-idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  'partner-correlation-id': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

export const CreatePaymentRequestBody = Type.Object(
  {
    currency: Currency,
    amount: Amount,
    payment_request_reference: Type.Optional(Str(limits.paymentReferenceCharsMax)),
    payment_option_id: Type.Optional(Str(255)),
    supplementary_purchase_data: Type.Optional(SupplementaryPurchaseData),
    customer_interaction_config: Type.Optional(CustomerInteractionConfig),
  },
  { additionalProperties: false },
);

export const UpdatePaymentRequestBody = Type.Partial(CreatePaymentRequestBody, { additionalProperties: false });

export const PaymentRequest = Type.Object(
  {
    payment_request_id: Type.String({ description: 'krn:payment:eu1:request:<uuid>' }),
    payment_request_reference: Type.Optional(Type.String()),
    state: Type.Union([Type.Literal('SUBMITTED'), Type.Literal('IN_PROGRESS'), Type.Literal('COMPLETED'), Type.Literal('CANCELED'), Type.Literal('EXPIRED'), Type.Literal('DECLINED')]),
    previous_state: Type.Optional(Type.String()),
    state_reason: Type.String(),
    state_context: Free('customer_interaction while open; payment_token, klarna_network_session_token, interoperability_token and klarna_customer once COMPLETED'),
    state_expires_at: Type.Optional(Type.String()),
    amount: Type.Integer(),
    currency: Type.String(),
    payment_option_id: Type.Optional(Type.String()),
    supplementary_purchase_data: Type.Optional(Free('As given')),
    customer_interaction_config: Free('As given, with method'),
    expires_at: Type.String(),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { description: 'Payment request' },
);

export const AuthorizeResponse = Type.Object({
  payment_transaction_response: Type.Object({
    result: Type.Union([Type.Literal('APPROVED'), Type.Literal('DECLINED'), Type.Literal('STEP_UP_REQUIRED')]),
    result_reason: Type.Optional(Type.String()),
    payment_transaction: Type.Optional(Free('payment_transaction_id, payment_transaction_reference, state, amount, currency, created_at, expires_at')),
  }),
  payment_request: Type.Optional(PaymentRequest),
});

export const AccountParams = Type.Object({ partner_account_id: PathId });
export const AccountRequestParams = Type.Object({ partner_account_id: PathId, payment_request_id: PathId });
export const RequestParams = Type.Object({ payment_request_id: PathId });
