/**
 * `payment.transaction.state-change.*` from Order Management: a v2 payment transaction is an
 * order, and every order change that moves its transaction state (AUTHORIZED -> COMPLETED /
 * EXPIRED / CLOSED, COMPLETED -> CLOSED) publishes the signed webhook in the same transaction as
 * the change — from an OM call, from the expiry timer, from a fraud review. Payments v1 orders never
 * publish these, even to a `*` subscription.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { orderIdOf } from '../../src/app/payment-requests/payment-transaction.js';
import { paymentTransactionStateOf } from '../../src/domain/order/payment-transaction-state.js';
import { orderMachine } from '../../src/domain/order/order-machine.js';
import { capture, dayS, expectError, newOrder, omPath, refund } from '../support/om.js';
import { purchase, startV2Kassa, verify, type V2Kassa } from './support.js';

let k: V2Kassa;
beforeEach(async () => (k = await startV2Kassa()));
afterEach(async () => k.close());

const transactionEvents = () => k.events().filter((e) => e.metadata.event_type!.startsWith('payment.transaction.'));
const laterTransactionEvents = () => transactionEvents().filter((e) => e.metadata.event_type !== 'payment.transaction.state-change.authorized');

/** Step-up -> journey (as `email`) -> authorize with the token: the APPROVED transaction. */
async function newTransaction(email = 'customer@email.de', amount = 11800): Promise<{ id: string; orderId: string }> {
  const r = await k.authorize({ ...purchase(amount), step_up_config: { customer_interaction_config: { return_url: 'https://partner.example/return' } } });
  const pr = r.json.payment_request;
  expect((await k.journey(pr.payment_request_id, 'enter')).status).toBe(200);
  const done = await k.journey(pr.payment_request_id, 'approve', { email });
  expect(done.json.payment_request.state).toBe('COMPLETED');
  const tx = await k.authorize(purchase(amount), { 'klarna-payment-token': done.json.payment_request.state_context.payment_token });
  expect(tx.json.payment_transaction_response.result, JSON.stringify(tx.json)).toBe('APPROVED');
  const id = tx.json.payment_transaction_response.payment_transaction.payment_transaction_id as string;
  return { id, orderId: orderIdOf(id) };
}

function om(method: string, orderId: string, rest: string, body?: object) {
  return k.request(method, omPath(orderId, rest), body === undefined ? {} : { body });
}

describe('the transaction state is a projection of the order status', () => {
  it('maps every order status, and every order transition that moves it is a forward move', () => {
    expect(paymentTransactionStateOf).toEqual({ AUTHORIZED: 'AUTHORIZED', PART_CAPTURED: 'AUTHORIZED', CAPTURED: 'COMPLETED', EXPIRED: 'EXPIRED', CLOSED: 'CLOSED', CANCELLED: 'CLOSED' });
    const rank = { AUTHORIZED: 0, COMPLETED: 1, EXPIRED: 1, CLOSED: 2 } as const;
    for (const t of orderMachine.transitions) {
      const from = paymentTransactionStateOf[t.from];
      const to = paymentTransactionStateOf[t.to];
      if (from !== to) expect(rank[to], `${t.from} --${t.event}--> ${t.to}`).toBeGreaterThan(rank[from]);
    }
  });
});

describe('payment.transaction.state-change.* from Order Management', () => {
  it('fully captured -> completed; a part capture publishes nothing; everything refunded -> closed', async () => {
    const tx = await newTransaction();
    expect((await capture(k, tx.orderId, 5000)).statusCode).toBe(201);
    await k.flush();
    expect(laterTransactionEvents()).toEqual([]);

    k.clock.advance(60_000);
    expect((await capture(k, tx.orderId, 6800)).statusCode).toBe(201);
    await k.flush();
    const [completed] = k.events('payment.transaction.state-change.completed');
    expect(completed).toBeDefined();
    expect(completed!.metadata).toMatchObject({ event_type: 'payment.transaction.state-change.completed', event_version: 'v2', webhook_id: k.webhookId, subject_account_id: k.merchant.accountId, occurred_at: '2026-01-15T10:01:00.000Z' });
    expect(completed!.payload).toEqual({
      payment_transaction_id: tx.id,
      payment_transaction_reference: 'tx-ref-1',
      state: 'COMPLETED',
      previous_state: 'AUTHORIZED',
      amount: 11800,
      captured_amount: 11800,
      refunded_amount: 0,
      currency: 'EUR',
      updated_at: '2026-01-15T10:01:00.000Z',
    });
    const delivery = k.transport.deliveries.find((d) => d.body.includes('"payment.transaction.state-change.completed"'))!;
    expect(delivery.headers['Klarna-Signing-Key-Id']).toBe(k.signingKey.signing_key_id);
    expect(verify(delivery, k.signingKey.signing_key)).toBe(true);

    expect((await refund(k, tx.orderId, 1800)).statusCode).toBe(201);
    await k.flush();
    expect(k.events('payment.transaction.state-change.closed')).toEqual([]);
    expect((await refund(k, tx.orderId, 10000)).statusCode).toBe(201);
    await k.flush();
    expect(k.events('payment.transaction.state-change.closed').map((e) => e.payload)).toEqual([
      expect.objectContaining({ payment_transaction_id: tx.id, state: 'CLOSED', previous_state: 'COMPLETED', captured_amount: 11800, refunded_amount: 11800 }),
    ]);
    expect(laterTransactionEvents().map((e) => e.metadata.event_type)).toEqual(['payment.transaction.state-change.completed', 'payment.transaction.state-change.closed']);
    for (const d of k.transport.deliveries) expect(verify(d, k.signingKey.signing_key)).toBe(true);
  });

  it('the capture deadline passing with nothing captured -> expired (the timer command publishes it)', async () => {
    const tx = await newTransaction();
    await k.advance(27 * dayS);
    await k.flush();
    expect(laterTransactionEvents()).toEqual([]);
    await k.advance(2 * dayS);
    await k.flush();
    expect((await om('GET', tx.orderId, '')).json().status).toBe('EXPIRED');
    expect(k.events('payment.transaction.state-change.expired').map((e) => e.payload)).toEqual([
      expect.objectContaining({ payment_transaction_id: tx.id, state: 'EXPIRED', previous_state: 'AUTHORIZED', captured_amount: 0, refunded_amount: 0 }),
    ]);
  });

  it('release of the remainder after a part capture -> completed; with everything refunded -> closed', async () => {
    const kept = await newTransaction();
    expect((await capture(k, kept.orderId, 5000)).statusCode).toBe(201);
    expect((await om('POST', kept.orderId, '/release-remaining-authorization')).statusCode).toBe(204);

    const returned = await newTransaction();
    expect((await capture(k, returned.orderId, 5000)).statusCode).toBe(201);
    expect((await refund(k, returned.orderId, 5000)).statusCode).toBe(201);
    expect((await om('POST', returned.orderId, '/release-remaining-authorization')).statusCode).toBe(204);
    await k.flush();

    expect(laterTransactionEvents().map((e) => [e.payload.payment_transaction_id, e.payload.state, e.payload.previous_state])).toEqual([
      [kept.id, 'COMPLETED', 'AUTHORIZED'],
      [returned.id, 'CLOSED', 'AUTHORIZED'],
    ]);
  });

  it('a cancelled authorization -> closed, from OM cancel and from a rejected fraud review', async () => {
    const cancelled = await newTransaction();
    expect((await om('POST', cancelled.orderId, '/cancel')).statusCode).toBe(204);
    const reviewed = await newTransaction('customer+pend-reject-05@email.de');
    expect((await om('GET', reviewed.orderId, '')).json().fraud_status).toBe('PENDING');
    await k.advance(5 * 60);
    await k.flush();
    expect((await om('GET', reviewed.orderId, '')).json()).toMatchObject({ status: 'CANCELLED', fraud_status: 'REJECTED' });
    expect(laterTransactionEvents().map((e) => [e.payload.payment_transaction_id, e.metadata.event_type])).toEqual([
      [cancelled.id, 'payment.transaction.state-change.closed'],
      [reviewed.id, 'payment.transaction.state-change.closed'],
    ]);
  });

  it('is written in the same transaction as the order change: a refused change and an idempotent replay publish nothing more', async () => {
    const tx = await newTransaction();
    const store = k.kassa.deps.engine.store;
    await k.kassa.deps.outbox.stop();
    const headers = { 'klarna-idempotency-key': '6f7e1c1e-0d5b-4b7e-9a55-0a2f9d1f4c11' };
    expect((await capture(k, tx.orderId, 11800, {}, headers)).statusCode).toBe(201);
    // Committed with the capture, before any delivery ran: the outbox row is already there, pending.
    const rows = await store.listOutbox(k.merchant.accountId, { ref: k.webhookId }, { limit: 100 });
    expect(rows.filter((r) => r.eventType === 'payment.transaction.state-change.completed').map((r) => r.status)).toEqual(['pending']);
    expect((await capture(k, tx.orderId, 11800, {}, headers)).statusCode).toBe(201);
    expectError(await capture(k, tx.orderId, 1), 403, 'CAPTURE_NOT_ALLOWED');
    await k.flush();
    expect(laterTransactionEvents().map((e) => e.metadata.event_type)).toEqual(['payment.transaction.state-change.completed']);
  });
});

describe('Payments v1 orders are not v2 transactions', () => {
  it('publish no payment.transaction.* webhooks, even to a "*" subscription', async () => {
    const captured = await newOrder(k, { amount: 10000 });
    expect((await capture(k, captured, 10000)).statusCode).toBe(201);
    expect((await refund(k, captured, 10000)).statusCode).toBe(201);
    const cancelled = await newOrder(k, { amount: 10000 });
    expect((await om('POST', cancelled, '/cancel')).statusCode).toBe(204);
    const expired = await newOrder(k, { amount: 10000 });
    await k.advance(29 * dayS);
    await k.flush();
    expect((await om('GET', captured, '')).json().status).toBe('CLOSED');
    expect((await om('GET', expired, '')).json().status).toBe('EXPIRED');
    expect(transactionEvents()).toEqual([]);
  });
});
