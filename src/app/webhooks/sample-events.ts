/**
 * Sample payloads for `POST /v2/notification/webhooks/{id}/simulate`: a plausible payload of the
 * asked event type with fresh ids, so a receiver can be tested before real traffic exists.
 */
import type { WebhookEventType } from '../../domain/webhooks/event-types.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import type { Random } from '../ports.js';

export function samplePayload(eventType: WebhookEventType, now: number, random: Random, accountId: string): JsonObject {
  const at = new Date(now).toISOString();
  if (eventType.startsWith('payment.request.')) {
    const state = eventType === 'payment.request.updated' ? 'SUBMITTED' : eventType.slice('payment.request.state-change.'.length).toUpperCase().replace('-', '_');
    const payload: JsonObject = {
      payment_request_id: `krn:payment:eu1:request:${random.uuid()}`,
      payment_request_reference: 'simulated-reference',
      state,
      state_reason: 'SIMULATED',
      state_context: {},
      amount: 11800,
      currency: 'EUR',
      expires_at: new Date(now + 48 * 3600_000).toISOString(),
      created_at: at,
      updated_at: at,
    };
    if (state === 'COMPLETED') {
      payload.state_context = {
        payment_token: `krn:payment:eu1:payment-token:${random.uuid()}`,
        klarna_network_session_token: `krn:network:eu1:session-token:${random.uuid()}`,
      };
    }
    return payload;
  }
  if (eventType.startsWith('payment.transaction.')) {
    return {
      payment_transaction_id: `krn:payment:eu1:transaction:${random.uuid()}`,
      payment_transaction_reference: 'simulated-reference',
      state: eventType.slice('payment.transaction.state-change.'.length).toUpperCase(),
      amount: 11800,
      currency: 'EUR',
      created_at: at,
    };
  }
  if (eventType.startsWith('payment.dispute.')) {
    return {
      dispute_id: `krn:payment:eu1:dispute:${random.uuid()}`,
      payment_transaction_id: `krn:payment:eu1:transaction:${random.uuid()}`,
      state: eventType.slice('payment.dispute.state-change.'.length).toUpperCase().replace('-', '_'),
      amount: 11800,
      currency: 'EUR',
      created_at: at,
    };
  }
  return { account_id: accountId, state: eventType.endsWith('.disabled') ? 'DISABLED' : eventType.endsWith('.enabled') ? 'ENABLED' : 'OPERATIONAL', updated_at: at };
}
