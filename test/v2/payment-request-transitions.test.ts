/**
 * One HTTP test per transition of the payment request table (generated from it): reach the
 * `from` state through the API, fire the event the way a partner, customer or clock would, and
 * check the answer, the stored request, the event log and the webhook the transition emits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventTypeFor, guards, paymentRequestMachine, stateReasonFor, type PaymentRequestEvent, type PaymentRequestStatus } from '../../src/domain/payment-request/payment-request-machine.js';
import { startV2Kassa, verify, type V2Kassa } from './support.js';

let k: V2Kassa;
beforeEach(async () => (k = await startV2Kassa()));
afterEach(async () => k.close());

async function reach(state: PaymentRequestStatus): Promise<string> {
  const pr = await k.stepUp();
  if (state === 'IN_PROGRESS') expect((await k.journey(pr.payment_request_id, 'enter')).json.payment_request.state).toBe('IN_PROGRESS');
  return pr.payment_request_id;
}

/** Fires an event; answers the request object the caller got back (the expiry answers with a read). */
async function fire(id: string, event: PaymentRequestEvent, guard?: string): Promise<any> {
  const path = `/v2/accounts/${k.merchant.accountId}/payment/requests/${id}`;
  switch (event) {
    case 'update': {
      const r = await k.request('PATCH', path, { body: { payment_request_reference: 'updated-ref', amount: 12000 } });
      expect(r.statusCode).toBe(200);
      return r.json();
    }
    case 'cancel': {
      const r = await k.request('DELETE', path);
      expect(r.statusCode).toBe(200);
      return r.json();
    }
    case 'expire': {
      expect((await k.advance(48 * 3600)).statusCode).toBe(200);
      return (await k.request('GET', path)).json();
    }
    case 'approve': {
      const email = guard === guards.declined ? 'customer+denied@email.de' : 'customer@email.de';
      const r = await k.journey(id, 'approve', { email });
      expect(r.status).toBe(200);
      return r.json.payment_request;
    }
    default: {
      const r = await k.journey(id, event);
      expect(r.status).toBe(200);
      return r.json.payment_request;
    }
  }
}

describe('payment request transitions over HTTP (one per table row)', () => {
  for (const t of paymentRequestMachine.transitions) {
    it(`${t.from} -${t.event}${t.guard ? ` [${t.guard}]` : ''}-> ${t.to}`, async () => {
      const id = await reach(t.from);
      await k.flush();
      const before = k.transport.deliveries.length;
      const answered = await fire(id, t.event, t.guard);
      expect(answered).toMatchObject({ payment_request_id: id, state: t.to, previous_state: t.from, state_reason: stateReasonFor(t.event, t.to) });

      const read = (await k.request('GET', `/v2/payment/requests/${id}`)).json();
      expect(read).toMatchObject({ state: t.to, previous_state: t.from });
      if (t.event === 'update') expect(read).toMatchObject({ payment_request_reference: 'updated-ref', amount: 12000 });
      if (t.to === 'COMPLETED') expect(read.state_context).toMatchObject({ payment_token: expect.stringMatching(/^krn:payment:eu1:payment-token:/), klarna_network_session_token: expect.any(String) });
      if (t.to === 'SUBMITTED' || t.to === 'IN_PROGRESS') expect(read.state_context.customer_interaction.payment_request_url).toMatch(/\/kp\/v1\/journey\/payment-request#t=[\w-]{43}$/);

      const log = await k.kassa.deps.engine.store.listEvents(k.merchant.accountId, 'payment_request', id);
      expect(log.at(-1)).toMatchObject({ type: `payment_request.${t.event}`, data: { from: t.from, to: t.to } });

      await k.flush();
      const sent = k.transport.deliveries.slice(before);
      expect(sent.map((d) => JSON.parse(d.body).metadata.event_type)).toEqual([eventTypeFor(t.event, t.to)]);
      expect(verify(sent[0]!, k.signingKey.signing_key)).toBe(true);
      expect(JSON.parse(sent[0]!.body).payload).toMatchObject({ payment_request_id: id, state: t.to, previous_state: t.from });
      const timer = await k.kassa.deps.engine.store.getTimer(`payment-request:${id}:expire`);
      expect(timer === undefined).toBe(paymentRequestMachine.finals.includes(t.to));
    });
  }
});
