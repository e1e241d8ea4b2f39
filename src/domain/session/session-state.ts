/**
 * The payment session aggregate (Payments API v1). Its public fields are what the merchant sent,
 * plus Klarna's additions; `internal` holds deadlines and the current authorization.
 */
import type { PaymentMethodCategory } from '../decision/payment-methods.js';
import type { JsonObject, Purchase } from '../order/order-state.js';

export type SessionStatus = 'incomplete' | 'complete' | 'expired';
export type Intent = 'buy' | 'tokenize' | 'buy_and_tokenize';

export interface SessionData extends Purchase {
  intent: Intent;
  acquiring_channel: string;
  merchant_data?: string;
  merchant_urls?: { confirmation?: string; notification?: string; push?: string; authorization?: string };
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
