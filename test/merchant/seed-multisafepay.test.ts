/**
 * Seed 001 (MultiSafepay, "Klarna payment flow"): the order status and the transaction status side
 * by side, table by table and row by row, over HTTP through the merchant role against Kassa's own
 * provider role. Rows the seed leaves blank change nothing, and the test checks that too.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withKassaProvider, type RealSetup } from './real-provider.js';
import { pairHistory, pairOf, standardCart } from './support.js';

let k: RealSetup;
beforeEach(async () => (k = await withKassaProvider()));
afterEach(async () => k.close());

const day = 24 * 3600;

async function authorized() {
  const order = await k.checkout(standardCart());
  const token = await k.customerAuthorizes(order.checkout.session_id);
  return { order, placed: await k.act(order.order_id, 'authorize', { authorization_token: token }) };
}

describe('seed 001 (MultiSafepay): successful payment flow, row by row', () => {
  it('1 Uncleared/Initialized -> 2 Completed/Uncleared -> 5 Shipped/Uncleared -> 8 Shipped/Completed -> 9 Completed/Completed', async () => {
    await k.t.request('PUT', '/merchant/v1/settings', { body: { payout_delay_seconds: day } });
    await k.t.request('PUT', '/sandbox/v1/settlement-settings', { body: { settlement_delay_days: 14 } });
    const rows: [string, string][] = [];
    const row = (n: string, o: any) => rows.push([n, pairOf(o)]);

    // 1. The customer initiates a transaction on the Klarna payment page.
    const order = await k.checkout(standardCart());
    row('1', order);
    // 2. Klarna authorizes the payment.
    const token = await k.customerAuthorizes(order.checkout.session_id);
    row('2', await k.act(order.order_id, 'authorize', { authorization_token: token }));
    // 3. Once authorized, a capture is sent to Klarna (here: part of the order, explicitly).
    row('3', await k.act(order.order_id, 'captures', { captured_amount: 4000 }));
    // 4. Ship within 28 days, or extend the shipping period.
    await k.tick(20 * day);
    row('4', await k.act(order.order_id, 'extend'));
    // 5. Change the order status to Shipped (capturing the rest on shipment).
    row('5', await k.act(order.order_id, 'ship', { shipping_info: [{ shipping_company: 'PostNord', tracking_number: 'PN-1' }] }));
    // 6-7. Klarna invoices the customer; the customer pays Klarna: nothing changes here.
    await k.tick(7 * day);
    row('7', await k.order(order.order_id));
    // 8. Klarna settles the funds (the settlement delay passes on the clock; notifications come in).
    await k.tick(7 * day);
    row('8', await k.order(order.order_id));
    // 9. The funds are added to the balance (after the payout delay).
    await k.tick(day);
    const final = await k.order(order.order_id);
    row('9', final);

    expect(rows).toEqual([
      ['1', 'Uncleared/Initialized'],
      ['2', 'Completed/Uncleared'],
      ['3', 'Completed/Uncleared'],
      ['4', 'Completed/Uncleared'],
      ['5', 'Shipped/Uncleared'],
      ['7', 'Shipped/Uncleared'],
      ['8', 'Shipped/Completed'],
      ['9', 'Completed/Completed'],
    ]);
    expect(pairHistory(final)).toEqual(['Uncleared/Initialized', 'Completed/Uncleared', 'Shipped/Uncleared', 'Shipped/Completed', 'Completed/Completed']);
    expect(final.state).toBe('completed');
    expect(final.captures.map((c: any) => c.settlement)).toEqual(['SETTLED', 'SETTLED']);
    expect(final.timeline.map((e: any) => e.type)).toEqual(expect.arrayContaining(['merchant_order.notification_received', 'merchant_order.capture_funds_settled', 'merchant_order.funds_booked']));
  });

  it('settlement is found by polling when no notification arrives, and settled now through the sandbox helper', async () => {
    k.deliver = false;
    const { placed } = await authorized();
    const shipped = await k.act(placed.order_id, 'ship', {});
    const capture = shipped.captures[0];
    const settle = await k.t.request('POST', `/sandbox/v1/orders/${shipped.klarna.order_id}/captures/${capture.klarna_capture_id}/settle`);
    expect(settle.statusCode, settle.body).toBe(200);
    expect(pairOf(await k.order(placed.order_id))).toBe('Shipped/Uncleared');
    await k.tick(day);
    const after = await k.order(placed.order_id);
    expect(pairOf(after)).toBe('Completed/Completed');
    expect(after.requests.at(-1)).toMatchObject({ kind: 'capture_status', status: 'SETTLED' });
  });
});

describe('seed 001 (MultiSafepay): unsuccessful statuses', () => {
  it('Klarna has declined the payment -> Void/Cancelled', async () => {
    const order = await k.checkout(standardCart());
    const token = await k.customerAuthorizes(order.checkout.session_id, 'customer+pend-reject-20@email.se');
    await k.act(order.order_id, 'authorize', { authorization_token: token });
    await k.tick(20 * 60);
    const after = await k.order(order.order_id);
    expect(pairHistory(after)).toEqual(['Uncleared/Initialized', 'Void/Cancelled']);
  });

  it('the customer cancels before paying -> Void/Cancelled', async () => {
    const order = await k.checkout(standardCart());
    const after = await k.act(order.order_id, 'cancel');
    expect(pairHistory(after)).toEqual(['Uncleared/Initialized', 'Void/Cancelled']);
  });

  it('the merchant cancels before the funds are captured -> Void/Cancelled; after a capture only a refund is possible', async () => {
    const { placed } = await authorized();
    const cancelled = await k.act(placed.order_id, 'cancel');
    expect(pairHistory(cancelled)).toEqual(['Uncleared/Initialized', 'Completed/Uncleared', 'Void/Cancelled']);
    const other = await authorized();
    await k.act(other.placed.order_id, 'captures', { captured_amount: 1000 });
    const refused = await k.t.request('POST', `/merchant/v1/orders/${other.placed.order_id}/cancel`, { body: {} });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error_code).toBe('CANCEL_NOT_ALLOWED');
  });

  it('the payment was not completed -> Expired/Expired', async () => {
    const order = await k.checkout(standardCart());
    await k.tick(48 * 3600 + 60);
    const after = await k.order(order.order_id);
    expect(after.state).toBe('expired');
    expect(pairHistory(after)).toEqual(['Uncleared/Initialized', 'Expired/Expired']);
  });

  it('the order status did not change to Shipped within 28 days -> Expired/Expired', async () => {
    const { placed } = await authorized();
    await k.tick(27 * day);
    expect(pairOf(await k.order(placed.order_id))).toBe('Completed/Uncleared');
    await k.tick(day + 60);
    const after = await k.order(placed.order_id);
    expect(after.state).toBe('expired');
    expect(pairHistory(after)).toEqual(['Uncleared/Initialized', 'Completed/Uncleared', 'Expired/Expired']);
    expect((await k.providerOrder(placed.klarna.order_id)).status).toBe('EXPIRED');
    // Expired transactions cannot be reactivated.
    expect((await k.t.request('POST', `/merchant/v1/orders/${placed.order_id}/ship`, { body: {} })).statusCode).toBe(403);
  });
});

describe('seed 001 (MultiSafepay): refund statuses', () => {
  it('the customer requests a refund: Initialized/Completed; processed: Completed/Completed — for each of several refunds', async () => {
    const { placed } = await authorized();
    await k.act(placed.order_id, 'ship', {});
    for (const amount of [2000, 3000]) {
      const after = await k.act(placed.order_id, 'refunds', { refunded_amount: amount });
      const refund = after.refunds.at(-1);
      const steps = after.timeline.filter((e: any) => e.refund_id === refund.refund_id && e.refund_status).map((e: any) => `${e.refund_status.order_status}/${e.refund_status.transaction_status}`);
      expect(steps).toEqual(['Initialized/Completed', 'Completed/Completed']);
      expect(pairOf(refund)).toBe('Completed/Completed');
    }
    const final = await k.order(placed.order_id);
    expect(final.refunded_amount).toBe(5000);
    expect((await k.providerOrder(placed.klarna.order_id)).refunded_amount).toBe(5000);
  });
});
