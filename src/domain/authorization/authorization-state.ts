/**
 * An authorization: what the customer approved for a session (the data snapshot, the payment
 * method, the risk decision) behind a random `authorization_token`, valid 60 minutes. It is
 * consumed by create-order and/or create-customer-token (both, once each, for buy_and_tokenize).
 */
import type { PaymentMethodCategoryId } from '../decision/payment-methods.js';
import type { JsonObject } from '../order/order-state.js';
import type { Intent, SessionData } from '../session/session-state.js';

export type AuthorizationStatus = 'valid' | 'consumed' | 'cancelled' | 'expired';

export interface AuthorizationState {
  authorization_token: string;
  session_id: string;
  status: AuthorizationStatus;
  intent: Intent;
  expires_at: string;
  expiresAtMs: number;
  /** The order data as authorized; create-order must match it (409 otherwise). */
  authorized: Pick<SessionData, 'purchase_country' | 'purchase_currency' | 'locale' | 'order_amount' | 'order_tax_amount' | 'order_lines'>;
  payment_method_category: PaymentMethodCategoryId;
  /** Instalments the customer chose in the purchase journey (pay_over_time); else the default. */
  installments?: number;
  fraud: { status: 'ACCEPTED' } | { status: 'PENDING'; outcome: 'ACCEPTED' | 'REJECTED'; afterMinutes: number };
  subject?: { email?: string; phone?: string };
  billing_address?: JsonObject;
  shipping_address?: JsonObject;
  customer?: JsonObject;
  /** Set once an order was created with this token; a repeat with the same body gets the same answer. */
  order?: { order_id: string; requestHash: string; response: JsonObject };
  customer_token_id?: string;
}

export const authorizationType = 'authorization';
