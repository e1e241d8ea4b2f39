/**
 * The v2 flow and webhook delivery on PostgreSQL (the scale-out store): step-up, journey,
 * APPROVED transaction as an order, a failing-then-succeeding receiver with one event_id, expiry
 * on the test clock and a manual replay. Skipped only outside CI when no server is reachable.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestPostgres, postgresAvailable } from '../support/postgres.js';
import { purchase, startV2Kassa, verify, type V2Kassa } from './support.js';

const available = await postgresAvailable();

describe.skipIf(!available)('v2 payment requests and webhooks on PostgreSQL', () => {
  let k: V2Kassa;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    const opened = await openTestPostgres();
    drop = opened.drop;
    k = await startV2Kassa({ store: opened.store });
  });
  afterEach(async () => {
    await k.kassa.app.close();
    await k.kassa.deps.outbox.stop();
    await drop();
  });

  it('runs the step-up flow to an order, retrying a failing receiver with the same event_id', async () => {
    let calls = 0;
    k.transport.respond = () => (++calls === 1 ? 500 : 200);
    const pr = await k.stepUp();
    await k.journey(pr.payment_request_id, 'enter');
    const done = await k.journey(pr.payment_request_id, 'approve', { email: 'customer@email.de' });
    const r = await k.authorize(purchase(), { 'klarna-network-session-token': done.json.payment_request.state_context.klarna_network_session_token });
    expect(r.json.payment_transaction_response.result).toBe('APPROVED');
    const orderId = r.json.payment_transaction_response.payment_transaction.payment_transaction_id.split(':').pop();
    expect((await k.kassa.deps.engine.store.getAggregate(k.merchant.accountId, 'order', orderId))?.state).toMatchObject({ status: 'AUTHORIZED', order_amount: 11800 });
    await k.flush();
    await k.advance(60);
    await k.flush();
    const ids = k.transport.deliveries.map((d) => JSON.parse(d.body).metadata.event_id);
    expect(ids).toHaveLength(5); // one retry of the first event, then four events delivered
    expect(ids.filter((id) => id === ids[0])).toHaveLength(2);
    expect(k.transport.deliveries.every((d) => verify(d, k.signingKey.signing_key))).toBe(true);
    const again = await k.authorize(purchase(), { 'klarna-payment-token': done.json.payment_request.state_context.payment_token });
    expect(again.json.error_code).toBe('TOKEN_ALREADY_USED');
  });

  it('expires on the test clock and replays a failed delivery', async () => {
    k.transport.respond = () => 500;
    const pr = await k.stepUp({ step_up_config: { customer_interaction_config: { interaction_expiry: { duration: 'PT15M' } } } });
    await k.advance(15 * 60);
    expect((await k.request('GET', `/v2/payment/requests/${pr.payment_request_id}`)).json().state).toBe('EXPIRED');
    for (let i = 0; i < 14; i++) {
      await k.advance(3600);
      await k.flush();
    }
    const deliveries = (await k.request('GET', `/v2/notification/webhooks/${k.webhookId}/deliveries?status=FAILED`)).json().deliveries;
    expect(deliveries.map((d: any) => d.event_type).sort()).toEqual(['payment.request.state-change.expired', 'payment.request.state-change.submitted']);
    k.transport.respond = () => 200;
    const replay = await k.request('POST', `/v2/notification/webhooks/${k.webhookId}/deliveries/${deliveries[0].delivery_id}/retry`);
    expect(replay.statusCode).toBe(202);
    await k.flush();
    expect(JSON.parse(k.transport.deliveries.at(-1)!.body).metadata.event_id).toBe(deliveries[0].event_id);
  });
});
