/**
 * Helpers for the v2 payment request and webhook tests: a harness with a signing key and a
 * catch-all webhook, an outbox flush that waits for in-flight deliveries, and shorthands for the
 * authorize / journey calls. The signature check here is independent of Kassa's own code: it
 * recomputes the HMAC with node:crypto.
 */
import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import { startTestKassa, type RecordedDelivery, type TestKassa } from '../support/harness.js';

export interface V2Kassa extends TestKassa {
  signingKey: { signing_key_id: string; signing_key: string };
  webhookId: string;
  /** Delivers everything due now and waits for any delivery already in flight. */
  flush(): Promise<void>;
  /** Parsed bodies of the deliveries recorded so far (optionally only of one event type). */
  events(type?: string): Envelope[];
  authorize(body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
  journey(id: string, action: string, customer?: Record<string, string>): Promise<{ status: number; json: any }>;
  /** authorize with step_up_config -> the SUBMITTED request. */
  stepUp(extra?: Record<string, unknown>): Promise<any>;
}

export interface Envelope {
  metadata: Record<string, string>;
  payload: any;
}

export const purchase = (amount = 11800, currency = 'EUR') => ({ currency, request_payment_transaction: { amount, payment_transaction_reference: 'tx-ref-1' } });

export async function startV2Kassa(options: Parameters<typeof startTestKassa>[0] & { eventTypes?: string[] } = {}): Promise<V2Kassa> {
  const k = await startTestKassa(options);
  const key = await k.request('POST', '/v2/notification/signing-keys');
  expect(key.statusCode).toBe(201);
  const signingKey = key.json();
  const hook = await k.request('POST', '/v2/notification/webhooks', {
    body: { url: 'https://partner.example/hooks/klarna', event_types: options.eventTypes ?? ['*'], event_version: 'v2', signing_key_id: signingKey.signing_key_id, status: 'ENABLED' },
  });
  expect(hook.statusCode).toBe(201);
  const outbox = k.kassa.deps.outbox;
  const v2: V2Kassa = {
    ...k,
    signingKey,
    webhookId: hook.json().webhook_id,
    async flush() {
      await outbox.stop();
      await outbox.pollAll();
    },
    events(type) {
      return k.transport.deliveries.map((d) => JSON.parse(d.body) as Envelope).filter((e) => !type || e.metadata.event_type === type);
    },
    async authorize(body, headers = {}) {
      const r = await k.request('POST', `/v2/accounts/${k.merchant.accountId}/payment/authorize`, { body, headers });
      return { status: r.statusCode, json: r.json() };
    },
    async journey(id, action, customer) {
      const r = await k.request('POST', `/sandbox/v2/payment/requests/${id}/journey`, { body: customer ? { action, customer } : { action } });
      return { status: r.statusCode, json: r.json() };
    },
    async stepUp(extra = {}) {
      const r = await v2.authorize({ ...purchase(), step_up_config: { payment_request_reference: 'pr-ref-1', customer_interaction_config: { method: 'HANDOVER', return_url: 'https://partner.example/return' } }, ...extra });
      expect(r.status).toBe(200);
      expect(r.json.payment_transaction_response.result).toBe('STEP_UP_REQUIRED');
      return r.json.payment_request;
    },
  };
  return v2;
}

/** An independent verifier: HMAC-SHA256 of the raw body with the secret, lower-case hex. */
export function verify(delivery: RecordedDelivery, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(delivery.body).digest('hex');
  return delivery.headers['Klarna-Signature'] === expected;
}

/** The v2 error body every refusal must have. */
export function expectV2Error(json: any, code: string, parameter?: string): void {
  expect(json).toMatchObject({ error_id: expect.any(String), error_type: expect.any(String), error_code: code, error_message: expect.any(String), errors: expect.any(Array) });
  if (parameter) expect(json.errors.map((e: { parameter: string }) => e.parameter)).toContain(parameter);
}
