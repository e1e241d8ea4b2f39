/** Short-hands for the Payments v1 steps most tests walk through, and the merchant role's checkout. */
import { expect } from 'vitest';
import { swedishOrder } from '../fixtures/orders.js';
import type { Merchant, TestKassa } from './harness.js';

export async function createSession(t: TestKassa, body: object = swedishOrder(), merchant?: Merchant): Promise<string> {
  const res = await t.request('POST', '/payments/v1/sessions', { body, merchant });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().session_id;
}

export async function authorize(t: TestKassa, sessionId: string, body: object = {}, merchant?: Merchant) {
  const res = await t.request('POST', `/sandbox/v1/sessions/${sessionId}/authorize`, { body, merchant });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { approved: boolean; show_form: boolean; authorization_token?: string; fraud_status?: string };
}

export async function placeOrder(t: TestKassa, order: object = swedishOrder(), options: { email?: string; merchant?: Merchant; extra?: object } = {}) {
  const sessionId = await createSession(t, order, options.merchant);
  const auth = await authorize(t, sessionId, options.email ? { billing_address: { email: options.email } } : {}, options.merchant);
  expect(auth.approved).toBe(true);
  const res = await t.request('POST', `/payments/v1/authorizations/${auth.authorization_token}/order`, { body: { ...order, ...options.extra }, merchant: options.merchant });
  expect(res.statusCode, res.body).toBe(200);
  return { sessionId, token: auth.authorization_token!, orderId: res.json().order_id as string, response: res.json() };
}

/**
 * The merchant role's checkout to a placed order: a merchant order (its Klarna session made by the
 * runtime's provider client, which the caller points at a provider), the customer's authorization
 * in the sandbox, and the order placed. Returns the merchant order as the placing answer shows it.
 */
export async function placeMerchantOrder(t: TestKassa, cart: object = swedishOrder()) {
  const created = await t.request('POST', '/merchant/v1/orders', { body: cart });
  expect(created.statusCode, created.body).toBe(201);
  const { order_id, checkout } = created.json();
  const auth = await authorize(t, checkout.session_id);
  const placed = await t.request('POST', `/merchant/v1/orders/${order_id}/authorize`, { body: { authorization_token: auth.authorization_token } });
  expect(placed.statusCode, placed.body).toBe(200);
  return placed.json();
}
