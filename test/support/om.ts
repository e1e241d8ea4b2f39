/** Short-hands for Order Management tests: place an order over HTTP, read it, act on it. */
import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { swedishOrder } from '../fixtures/orders.js';
import { createSession } from './flows.js';
import type { Merchant, TestKassa } from './harness.js';

export const omPath = (orderId: string, rest = '') => `/ordermanagement/v1/orders/${orderId}${rest}`;

export interface NewOrderOptions {
  amount?: number;
  /** Persona email (e.g. customer+pend-accept-05@email.us). */
  email?: string;
  /** pay_later (INVOICE, the default), pay_now or pay_over_time. */
  category?: string;
  merchant?: Merchant;
  /** Extra create-order fields (merchant_urls, auto_capture, …). */
  extra?: object;
}

/** Session -> sandbox authorize -> create order, all over HTTP; returns the order id. */
export async function newOrder(t: TestKassa, options: NewOrderOptions = {}): Promise<string> {
  const order = swedishOrder(options.amount ?? 10000);
  const sessionId = await createSession(t, order, options.merchant);
  const auth = await t.request('POST', `/sandbox/v1/sessions/${sessionId}/authorize`, {
    body: { payment_method_category: options.category ?? 'pay_later', ...(options.email ? { billing_address: { email: options.email } } : {}) },
    merchant: options.merchant,
  });
  expect(auth.statusCode, auth.body).toBe(200);
  expect(auth.json().approved, auth.body).toBe(true);
  const res = await t.request('POST', `/payments/v1/authorizations/${auth.json().authorization_token}/order`, { body: { ...order, ...options.extra }, merchant: options.merchant });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().order_id as string;
}

export async function getOrder(t: TestKassa, orderId: string, merchant?: Merchant) {
  const res = await t.request('GET', omPath(orderId), { merchant });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export function capture(t: TestKassa, orderId: string, amount: number, extra: object = {}, headers?: Record<string, string>) {
  return t.request('POST', omPath(orderId, '/captures'), { body: { captured_amount: amount, ...extra }, headers });
}

export function refund(t: TestKassa, orderId: string, amount: number, extra: object = {}, headers?: Record<string, string>) {
  return t.request('POST', omPath(orderId, '/refunds'), { body: { refunded_amount: amount, ...extra }, headers });
}

/** Asserts a Klarna v1 error: status, error_code, and (optionally) a message fragment. */
export function expectError(res: LightMyRequestResponse, status: number, code: string, message?: string | RegExp): void {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(body.error_code, res.body).toBe(code);
  expect(typeof body.correlation_id).toBe('string');
  if (message !== undefined) expect(body.error_messages.join(' ')).toMatch(message);
}

/** Waits for a running outbox pass, then delivers everything due. */
export async function drainOutbox(t: TestKassa): Promise<void> {
  await t.kassa.deps.outbox.stop();
  await t.kassa.deps.outbox.pollAll();
}

export const dayS = 24 * 3600;
