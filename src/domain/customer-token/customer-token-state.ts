/**
 * The customer token aggregate (Customer Token API v1, reference §3): created from an authorization
 * of a session with intent `tokenize` or `buy_and_tokenize`; later charged without the customer
 * present. It belongs to the account that created it.
 */
import type { JsonObject } from '../order/order-state.js';

export type CustomerTokenStatus = 'ACTIVE' | 'CANCELLED' | 'SUSPENDED';

export interface CustomerTokenState {
  token_id: string;
  status: CustomerTokenStatus;
  /** INVOICE, CARD or DIRECT_DEBIT, from the authorized payment method category. */
  payment_method_type: string;
  card?: { brand: string; expiry_date: string; masked_number: string };
  direct_debit?: { masked_number: string };
  description: string;
  intended_use: string;
  locale: string;
  purchase_country: string;
  purchase_currency: string;
  billing_address?: JsonObject;
  customer?: JsonObject;
  created_at: string;
  internal: {
    sessionId: string;
    /** Email/phone decided on at tokenization; each token order is decided again on it. */
    subject?: { email?: string; phone?: string };
    paymentMethodCategory: string;
  };
}

export const customerTokenType = 'customer_token';
