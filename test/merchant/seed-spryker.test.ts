/**
 * Seed 000 (Spryker, "Klarna payment workflow"), step by step, over HTTP through the merchant
 * role against Kassa's own provider role:
 *   Pre-check: reserves the amount of the purchase.
 *   Check order status: if it is not accepted, wait 2 hours and ask again; denied -> cancel.
 *   Capture payment: activates the reservation.
 *   Update payment: if activation fails, update the reservation.
 *   Refund: performs a partial refund.
 *   Cancel: cancels a reservation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withKassaProvider, type RealSetup } from './real-provider.js';
import { cartOf, line, pairOf, requestsOf, standardCart } from './support.js';

let k: RealSetup;
beforeEach(async () => (k = await withKassaProvider()));
afterEach(async () => k.close());

const minute = 60;
const checks = (o: any) => o.requests.filter((r: any) => r.kind === 'check_status');

async function placed(email = 'customer@email.se') {
  const order = await k.checkout(standardCart());
  const token = await k.customerAuthorizes(order.checkout.session_id, email);
  return k.act(order.order_id, 'authorize', { authorization_token: token });
}

describe('seed 000 (Spryker): the Klarna payment workflow', () => {
  it('pre-check reserves the amount; check order status; capture activates the reservation; partial refund', async () => {
    const order = await placed();
    // Pre-check: the order is placed, the full amount reserved at the provider.
    const provider = await k.providerOrder(order.klarna.order_id);
    expect(provider).toMatchObject({ status: 'AUTHORIZED', order_amount: 10000, remaining_authorized_amount: 10000, captured_amount: 0 });
    expect(provider.merchant_urls ?? {}).not.toHaveProperty('password');
    // Check order status: accepted at once.
    expect(order.state).toBe('ready_to_ship');
    expect(requestsOf(order)).toEqual(['session:COMPLETED', 'authorization:AUTHORIZED', 'check_status:AUTHORIZED']);
    // Capture payment: activates the reservation.
    const shipped = await k.act(order.order_id, 'ship', { shipping_info: [{ shipping_company: 'PostNord', tracking_number: 'PN-1' }] });
    expect(shipped.state).toBe('captured');
    expect(await k.providerOrder(order.klarna.order_id)).toMatchObject({ status: 'CAPTURED', captured_amount: 10000, remaining_authorized_amount: 0 });
    // Refund: performs a partial refund.
    const refunded = await k.act(order.order_id, 'refunds', { refunded_amount: 2500, description: 'One ball returned' });
    expect(refunded.refunds).toEqual([expect.objectContaining({ refunded_amount: 2500, status: 'REFUNDED' })]);
    expect(await k.providerOrder(order.klarna.order_id)).toMatchObject({ refunded_amount: 2500 });
    expect(requestsOf(refunded).slice(3)).toEqual(['capture:SETTLED', 'refund:REFUNDED']);
  });

  it('while not accepted, waits 2 hours on the test clock and asks again (notifications dropped: polling alone)', async () => {
    k.deliver = false;
    const order = await placed('customer+pend-accept-99@email.se');
    expect(order.state).toBe('checking');
    expect(checks(order).map((r: any) => r.status)).toEqual(['PENDING']);
    const placedAt = Date.parse(checks(order)[0].created_at);
    await k.tick(99 * minute);
    // Klarna has accepted (after 99 minutes) but Kassa only asks again at 2 hours.
    expect((await k.providerOrder(order.klarna.order_id)).fraud_status).toBe('ACCEPTED');
    expect((await k.order(order.order_id)).state).toBe('checking');
    await k.tick(21 * minute - 1);
    expect(checks(await k.order(order.order_id))).toHaveLength(1);
    await k.tick(1);
    const after = await k.order(order.order_id);
    expect(after.state).toBe('ready_to_ship');
    expect(checks(after).map((r: any) => r.status)).toEqual(['PENDING', 'AUTHORIZED']);
    expect(Date.parse(checks(after)[1].created_at) - placedAt).toBe(2 * 3600_000);
    expect(after.timeline.map((e: any) => e.type)).toContain('merchant_order.status_pending');
  });

  it('the re-check interval is configurable: every 30 minutes until accepted', async () => {
    k.deliver = false;
    await k.t.request('PUT', '/merchant/v1/settings', { body: { recheck_interval_seconds: 30 * minute } });
    const order = await placed('customer+pend-accept-99@email.se');
    await k.tick(2 * 3600);
    const after = await k.order(order.order_id);
    expect(after.state).toBe('ready_to_ship');
    const times = checks(after).map((r: any) => (Date.parse(r.created_at) - Date.parse(checks(after)[0].created_at)) / 60_000);
    expect(times).toEqual([0, 30, 60, 90, 120]);
    expect(checks(after).map((r: any) => r.status)).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING', 'AUTHORIZED']);
  });

  it("Klarna's FRAUD_RISK notification makes Kassa check at once (verified by reading the order back)", async () => {
    const order = await placed('customer+pend-accept-10@email.se');
    await k.tick(10 * minute);
    const after = await k.order(order.order_id);
    expect(after.state).toBe('ready_to_ship');
    expect(after.timeline.map((e: any) => e.type)).toContain('merchant_order.notification_received');
    expect(Date.parse(checks(after)[1].created_at) - Date.parse(checks(after)[0].created_at)).toBe(10 * 60_000);
  });

  it('denied -> the order is cancelled (Void/Cancelled)', async () => {
    k.deliver = false;
    const order = await placed('customer+pend-reject-30@email.se');
    await k.tick(2 * 3600);
    const after = await k.order(order.order_id);
    expect(after.state).toBe('cancelled');
    expect(pairOf(after)).toBe('Void/Cancelled');
    expect(requestsOf(after).slice(2)).toEqual(['check_status:PENDING', 'check_status:FAILED', 'reversal:AUTH_REVERSED']);
    expect(await k.providerOrder(order.klarna.order_id)).toMatchObject({ status: 'CANCELLED', fraud_status: 'REJECTED' });
    // A late, duplicate signal moves nothing.
    k.deliver = true;
    await k.tick(3600);
    expect((await k.order(order.order_id)).state).toBe('cancelled');
  });

  it('capture fails because the order grew -> update the reservation -> capture', async () => {
    const order = await placed();
    const grown = cartOf([line('Tennis racket', 8000), line('Balls', 1000, 2), line('Express shipping', 900, 1, 'shipping_fee')]);
    const cart = await k.t.request('PUT', `/merchant/v1/orders/${order.order_id}/cart`, { body: { order_amount: grown.order_amount, order_tax_amount: grown.order_tax_amount, order_lines: grown.order_lines } });
    expect(cart.statusCode, cart.body).toBe(200);
    const shipped = await k.act(order.order_id, 'ship', { shipping_info: [] });
    expect(shipped.state).toBe('captured');
    expect(requestsOf(shipped).slice(3)).toEqual(['capture:FAILED', 'update_authorization:AUTHORIZED', 'capture:SETTLED']);
    expect(shipped.requests[3]).toMatchObject({ http_status: 403, error_code: 'CAPTURE_NOT_ALLOWED' });
    expect(shipped.timeline.filter((e: any) => e.type.startsWith('merchant_order.')).map((e: any) => e.state)).toEqual(
      expect.arrayContaining(['capturing', 'updating', 'capturing', 'captured']),
    );
    expect(await k.providerOrder(order.klarna.order_id)).toMatchObject({ order_amount: 10900, captured_amount: 10900, status: 'CAPTURED' });
  });

  it('cancel cancels a reservation', async () => {
    const order = await placed();
    const cancelled = await k.act(order.order_id, 'cancel');
    expect(cancelled.state).toBe('cancelled');
    expect(requestsOf(cancelled).at(-1)).toBe('reversal:AUTH_REVERSED');
    expect(await k.providerOrder(order.klarna.order_id)).toMatchObject({ status: 'CANCELLED', remaining_authorized_amount: 0 });
  });
});
