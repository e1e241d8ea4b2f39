/**
 * The order aggregate's state, as stored. Its public fields are Klarna's Order Management order
 * object (reference §2) so that GET /ordermanagement/v1/orders/{id} is a projection of it;
 * `internal` holds what Klarna does not show (where the order came from, deadlines).
 * Orders are created by Payments v1 (authorization token), the Customer Token API and v2 payment
 * transactions through `openOrder`; the Order Management machine (order-machine.ts) changes them.
 */
import type { FraudStatus } from '../decision/decide-purchase.js';

export type OrderStatus = 'AUTHORIZED' | 'PART_CAPTURED' | 'CAPTURED' | 'CANCELLED' | 'EXPIRED' | 'CLOSED';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface OrderLine {
  type?: string;
  reference?: string;
  name: string;
  quantity: number;
  quantity_unit?: string;
  unit_price: number;
  tax_rate?: number;
  total_amount: number;
  total_discount_amount?: number;
  total_tax_amount?: number;
  merchant_data?: string;
  product_url?: string;
  image_url?: string;
  product_identifiers?: JsonObject;
  subscription?: JsonObject;
}

export interface ShippingInfo {
  shipping_company?: string;
  shipping_method?: string;
  tracking_number?: string;
  tracking_uri?: string;
  return_shipping_company?: string;
  return_tracking_number?: string;
  return_tracking_uri?: string;
}

export interface Capture {
  capture_id: string;
  klarna_reference: string;
  captured_amount: number;
  captured_at: string;
  description?: string;
  reference?: string;
  order_lines: OrderLine[];
  refunded_amount: number;
  billing_address?: JsonObject;
  shipping_address?: JsonObject;
  shipping_info: ShippingInfo[];
}

export interface Refund {
  refund_id: string;
  refunded_amount: number;
  refunded_at: string;
  description?: string;
  reference?: string;
  order_lines: OrderLine[];
}

export interface OrderState {
  order_id: string;
  status: OrderStatus;
  fraud_status: FraudStatus;
  original_order_amount: number;
  order_amount: number;
  captured_amount: number;
  refunded_amount: number;
  remaining_authorized_amount: number;
  purchase_currency: string;
  purchase_country: string;
  locale: string;
  created_at: string;
  /** Capture deadline (authorization expiry). */
  expires_at: string;
  klarna_reference: string;
  merchant_reference1?: string;
  merchant_reference2?: string;
  merchant_data?: string;
  order_lines: OrderLine[];
  captures: Capture[];
  refunds: Refund[];
  shipping_info: ShippingInfo[];
  billing_address?: JsonObject;
  shipping_address?: JsonObject;
  customer?: JsonObject;
  initial_payment_method: { type: string; description: string; number_of_installments?: number };
  internal: {
    source: 'payments' | 'customer_token' | 'payment_transaction';
    /** Session, customer token or payment transaction the order came from. */
    sourceId: string;
    order_tax_amount: number;
    merchant_urls?: { confirmation?: string; notification?: string; push?: string; authorization?: string };
    /** Set while fraud_status is PENDING: the decision that falls due on the account clock. */
    fraudReview?: { outcome: 'ACCEPTED' | 'REJECTED'; dueAt: number };
    createdAtMs: number;
    expiresAtMs: number;
    acknowledged: boolean;
    /** Email/phone the purchase was decided on (for re-decisions when the amount is raised). */
    subject?: { email?: string; phone?: string };
    /** auto_capture was asked while fraud review was pending: capture in full once accepted. */
    autoCapture?: boolean;
    /** Invoice due-date extensions per capture id, in days (Order Management). */
    dueDateExtensions?: Record<string, number>;
  };
}

/**
 * The purchase a customer pays for, as Klarna's session and order bodies carry it (reference §1–§2):
 * shared by the session, the order it becomes, and the merchant role's cart.
 */
export interface Purchase {
  purchase_country: string;
  purchase_currency: string;
  locale: string;
  order_amount: number;
  order_tax_amount: number;
  order_lines: OrderLine[];
  merchant_reference1?: string;
  merchant_reference2?: string;
  billing_address?: JsonObject;
  shipping_address?: JsonObject;
  customer?: JsonObject;
}

export interface OpenOrderInput extends Purchase {
  orderId: string;
  klarnaReference: string;
  now: number;
  authorizationTtlMs: number;
  merchant_data?: string;
  merchant_urls?: OrderState['internal']['merchant_urls'];
  initial_payment_method: OrderState['initial_payment_method'];
  fraud: { status: 'ACCEPTED' } | { status: 'PENDING'; outcome: 'ACCEPTED' | 'REJECTED'; afterMinutes: number };
  source: OrderState['internal']['source'];
  sourceId: string;
  subject?: { email?: string; phone?: string };
}

/** A new order in AUTHORIZED, its amounts consistent, its capture deadline 28 days ahead. */
export function openOrder(input: OpenOrderInput): OrderState {
  const expiresAtMs = input.now + input.authorizationTtlMs;
  const pending = input.fraud.status === 'PENDING' ? input.fraud : undefined;
  return {
    order_id: input.orderId,
    status: 'AUTHORIZED',
    fraud_status: input.fraud.status,
    original_order_amount: input.order_amount,
    order_amount: input.order_amount,
    captured_amount: 0,
    refunded_amount: 0,
    remaining_authorized_amount: input.order_amount,
    purchase_currency: input.purchase_currency,
    purchase_country: input.purchase_country,
    locale: input.locale,
    created_at: new Date(input.now).toISOString(),
    expires_at: new Date(expiresAtMs).toISOString(),
    klarna_reference: input.klarnaReference,
    merchant_reference1: input.merchant_reference1,
    merchant_reference2: input.merchant_reference2,
    merchant_data: input.merchant_data,
    order_lines: input.order_lines,
    captures: [],
    refunds: [],
    shipping_info: [],
    billing_address: input.billing_address,
    shipping_address: input.shipping_address,
    customer: input.customer,
    initial_payment_method: input.initial_payment_method,
    internal: {
      source: input.source,
      sourceId: input.sourceId,
      order_tax_amount: input.order_tax_amount,
      merchant_urls: input.merchant_urls,
      fraudReview: pending ? { outcome: pending.outcome, dueAt: input.now + pending.afterMinutes * 60_000 } : undefined,
      createdAtMs: input.now,
      expiresAtMs,
      acknowledged: false,
      subject: input.subject,
    },
  };
}
