/**
 * Races on one payment request: the customer approving while the partner cancels, double
 * approvals, and authorize twice with one token. Exactly one outcome wins, the loser gets a clean
 * answer (never a 5xx), and exactly one final-state webhook goes out.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { purchase, startV2Kassa, type V2Kassa } from './support.js';

let k: V2Kassa;
beforeEach(async () => (k = await startV2Kassa()));
afterEach(async () => k.close());

it('approve racing cancel: one wins, one final webhook, no 5xx', async () => {
  for (let round = 0; round < 10; round++) {
    const pr = await k.stepUp();
    const id = pr.payment_request_id;
    await k.journey(id, 'enter');
    const [approve, approve2, cancel] = await Promise.all([
      k.journey(id, 'approve', { email: 'customer@email.de' }),
      k.journey(id, 'approve', { email: 'customer@email.de' }),
      k.request('DELETE', `/v2/payment/requests/${id}`),
    ]);
    for (const status of [approve.status, approve2.status, cancel.statusCode]) expect(status).toBeLessThan(500);
    const final = (await k.request('GET', `/v2/payment/requests/${id}`)).json();
    expect(['COMPLETED', 'CANCELED']).toContain(final.state);
    if (final.state === 'COMPLETED') {
      expect(cancel.statusCode).toBe(409);
      expect([approve.json.ignored, approve2.json.ignored].sort()).toEqual([false, true]);
    } else {
      expect(cancel.statusCode).toBe(200);
      expect(approve.json.ignored && approve2.json.ignored).toBe(true);
    }
  }
  await k.flush();
  const finals = k.events().filter((e) => /completed|canceled/.test(e.metadata.event_type ?? ''));
  expect(finals).toHaveLength(10);
  expect(new Set(finals.map((e) => e.payload.payment_request_id)).size).toBe(10);
});

it('two authorizations with one token place one transaction', async () => {
  const pr = await k.stepUp();
  await k.journey(pr.payment_request_id, 'enter');
  const token = (await k.journey(pr.payment_request_id, 'approve')).json.payment_request.state_context.payment_token;
  const results = await Promise.all([1, 2, 3].map(() => k.authorize(purchase(), { 'klarna-payment-token': token })));
  expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  expect(await k.kassa.deps.engine.store.listAggregates(k.merchant.accountId, 'order', { limit: 10 })).toHaveLength(1);
});
