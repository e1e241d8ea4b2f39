/**
 * The payment session aggregate (Payments API v1). Its public fields are what the merchant sent,
 * plus Klarna's additions; `internal` holds deadlines and the current authorization.
 */
import type { PaymentMethodCategory } from '../decision/payment-methods.js';
import type { JsonObject, OrderLine } from '../order/order-state.js';

export type SessionStatus = 'incomplete' | 'complete' | 'expired';
export type Intent = 'buy' | 'tokenize' | 'buy_and_tokenize';

export interface SessionData {
  purchase_country: string;
  purchase_currency: string;
  locale: string;
  order_amount: number;
  order_tax_amount: number;
  order_lines: OrderLine[];
  intent: Intent;
  acquiring_channel: string;
  merchant_reference1?: string;
  merchant_reference2?: string;
  merchant_data?: string;
  merchant_urls?: { confirmation?: string; notification?: string; push?: string; authorization?: string };
  billing_address?: JsonObject;
  shipping_address?: JsonObject;
  customer?: JsonObject;
  attachment?: JsonObject;
  options?: JsonObject;
  custom_payment_method_ids?: string[];
  design?: string;
}

export interface SessionState extends SessionData {
  session_id: string;
  status: SessionStatus;
  client_token: string;
  expires_at: string;
  payment_method_categories: PaymentMethodCategory[];
  authorization_token?: string;
  order_id?: string;
  customer_token_id?: string;
  internal: {
    createdAtMs: number;
    expiresAtMs: number;
  };
}

export const sessionType = 'session';
