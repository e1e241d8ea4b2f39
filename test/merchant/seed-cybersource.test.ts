/**
 * Seed 003 (Cybersource, "Transaction Statuses Workflow"): every request the merchant sends has its
 * own status. For each request kind, each status the seed lists is produced over HTTP through the
 * merchant role against Kassa's own provider role, and read back later by the request's id.
 * (The failures a provider must be pushed into — an order cancelled, captured or refunded behind
 * the merchant's back — are made through the provider's own Order Management API.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withKassaProvider, type RealSetup } from './real-provider.js';
import { cartOf, json, line, standardCart } from './support.js';

let k: RealSetup;
beforeEach(async () => (k = await withKassaProvider()));
afterEach(async () => k.close());

const last = (o: any, kind: string) => [...o.requests].reverse().find((r: any) => r.kind === kind);
const statuses = (o: any, kind: string) => o.requests.filter((r: any) => r.kind === kind).map((r: any) => r.status);

async function readRequest(id: string) {
  const res = await k.t.request('GET', `/merchant/v1/requests/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return json(res);
}

async function checkRequest(id: string) {
  const res = await k.t.request('POST', `/merchant/v1/requests/${id}/check`, { body: {} });
  expect(res.statusCode, res.body).toBe(200);
  return json(res);
}

async function authorized(email = 'customer@email.se', category?: string) {
  const order = await k.checkout(standardCart());
  const token = await k.customerAuthorizes(order.checkout.session_id, email, undefined, category);
  return k.act(order.order_id, 'authorize', { authorization_token: token });
}

/** Something another system does at the provider, behind the merchant role's back. */
async function behindTheBack(path: string, body?: unknown) {
  const res = await k.t.request('POST', `/ordermanagement/v1/orders/${path}`, { body });
  expect(res.statusCode, res.body).toBeLessThan(300);
}

describe('seed 003 (Cybersource): a status for every request', () => {
  it('1. session: INITIATED, then COMPLETED when the customer completed the checkout; FAILED when refused', async () => {
    const order = await k.checkout(standardCart());
    const session = last(order, 'session');
    expect(session.status).toBe('INITIATED');
    const token = await k.customerAuthorizes(order.checkout.session_id);
    await k.act(order.order_id, 'authorize', { authorization_token: token });
    const later = await readRequest(session.request_id);
    expect(later.status).toBe('COMPLETED');
    expect(later.status_history.map((h: any) => h.status)).toEqual(['PENDING', 'INITIATED', 'COMPLETED']);

    const refused = await k.checkout({ ...standardCart(), purchase_currency: 'EUR' });
    expect(refused.state).toBe('checkout_failed');
    expect(last(refused, 'session')).toMatchObject({ status: 'FAILED', http_status: 400, error_code: 'BAD_VALUE' });
    // "Send a new session request."
    const again = await k.act(refused.order_id, 'checkout');
    expect(statuses(again, 'session')).toEqual(['FAILED', 'FAILED']);
  });

  it('1. session check: PENDING while the customer may still pay, ABANDONED when the session ran out', async () => {
    const order = await k.checkout(standardCart());
    const check = await checkRequest(last(order, 'session').request_id);
    expect(check).toMatchObject({ kind: 'check_status', status: 'PENDING' });
    await k.tick(48 * 3600 + 60);
    const after = await k.order(order.order_id);
    expect(last(after, 'check_status').status).toBe('ABANDONED');
    expect(after.state).toBe('expired');
  });

  it('2. authorization: AUTHORIZED; FAILED for a stale token (then a new authorization succeeds)', async () => {
    const order = await k.checkout(standardCart());
    const stale = await k.customerAuthorizes(order.checkout.session_id);
    await k.tick(61 * 60);
    const failed = await k.act(order.order_id, 'authorize', { authorization_token: stale });
    expect(last(failed, 'authorization')).toMatchObject({ status: 'FAILED', http_status: 404 });
    expect(failed.state).toBe('checkout');
    const fresh = await k.customerAuthorizes(order.checkout.session_id);
    const ok = await k.act(order.order_id, 'authorize', { authorization_token: fresh });
    expect(statuses(ok, 'authorization')).toEqual(['FAILED', 'AUTHORIZED']);
    expect((await readRequest(last(ok, 'authorization').request_id)).status).toBe('AUTHORIZED');
  });

  it('3. check status: AUTHORIZED, PENDING (review), FAILED (denied), ABANDONED (above)', async () => {
    expect(last(await authorized(), 'check_status').status).toBe('AUTHORIZED');
    const pending = await authorized('customer+pend-reject-30@email.se');
    expect(last(pending, 'check_status').status).toBe('PENDING');
    await k.tick(30 * 60);
    const denied = await k.order(pending.order_id);
    expect(statuses(denied, 'check_status')).toEqual(['PENDING', 'FAILED']);
    expect((await checkRequest(last(denied, 'authorization').request_id)).status).toBe('FAILED');
  });

  it('4. authorization reversal: AUTH_REVERSED; FAILED when the provider refuses (captured elsewhere)', async () => {
    const one = await authorized();
    expect(last(await k.act(one.order_id, 'cancel'), 'reversal').status).toBe('AUTH_REVERSED');

    const two = await authorized();
    await behindTheBack(`${two.klarna.order_id}/captures`, { captured_amount: 1000 });
    const refused = await k.act(two.order_id, 'cancel');
    expect(last(refused, 'reversal')).toMatchObject({ status: 'FAILED', http_status: 403, error_code: 'CANCEL_NOT_ALLOWED' });
    expect(refused.state).toBe('ready_to_ship');

    const three = await authorized();
    await k.act(three.order_id, 'captures', { captured_amount: 4000 });
    const closed = await k.act(three.order_id, 'close');
    expect(last(closed, 'reversal').status).toBe('AUTH_REVERSED');
    expect(closed.state).toBe('captured');
  });

  it('5. capture: SETTLED; FAILED when the provider refuses (order cancelled elsewhere)', async () => {
    const one = await authorized();
    expect(last(await k.act(one.order_id, 'ship', {}), 'capture').status).toBe('SETTLED');

    const two = await authorized();
    await behindTheBack(`${two.klarna.order_id}/cancel`);
    const refused = await k.act(two.order_id, 'ship', {});
    expect(last(refused, 'capture')).toMatchObject({ status: 'FAILED', http_status: 403, error_code: 'CAPTURE_NOT_ALLOWED' });
    expect(refused.state).toBe('cancelled');

    // Spryker's update: a refused raise leaves the capture FAILED too.
    const three = await authorized('customer@email.se', 'pay_later');
    const huge = cartOf([line('Tennis racket', 8000), line('Balls', 1000, 2), line('Court rental', 1_000_000)]);
    await k.t.request('PUT', `/merchant/v1/orders/${three.order_id}/cart`, { body: { order_amount: huge.order_amount, order_tax_amount: huge.order_tax_amount, order_lines: huge.order_lines } });
    const declined = await k.act(three.order_id, 'ship', {});
    expect(declined.requests.slice(3).map((r: any) => `${r.kind}:${r.status}`)).toEqual(['capture:FAILED', 'update_authorization:FAILED']);
    expect(declined.state).toBe('capture_failed');
  });

  it('6. capture status: SETTLED, CHARGEBACK after a dispute, FAILED for a capture that never was', async () => {
    const order = await authorized();
    const shipped = await k.act(order.order_id, 'ship', {});
    const capture = last(shipped, 'capture');
    expect((await checkRequest(capture.request_id)).status).toBe('SETTLED');
    const dispute = await k.t.request('POST', `/sandbox/v1/orders/${shipped.klarna.order_id}/captures/${shipped.captures[0].klarna_capture_id}/dispute`, { body: { reason: 'not_received' } });
    expect(dispute.statusCode, dispute.body).toBe(200);
    await k.tick();
    const after = await k.order(order.order_id);
    expect(last(after, 'capture_status').status).toBe('CHARGEBACK');
    expect(after.captures[0]).toMatchObject({ status: 'CHARGEBACK', disputed: true });
    expect((await readRequest(capture.request_id)).latest_check.status).toBe('CHARGEBACK');
    expect((await checkRequest(capture.request_id)).status).toBe('CHARGEBACK');

    const other = await authorized();
    await behindTheBack(`${other.klarna.order_id}/cancel`);
    const failed = await k.act(other.order_id, 'ship', {});
    expect((await checkRequest(last(failed, 'capture').request_id)).status).toBe('FAILED');
  });

  it('7-8. refund and refund status: REFUNDED; FAILED when the provider refuses (refunded elsewhere)', async () => {
    const order = await authorized();
    const shipped = await k.act(order.order_id, 'ship', {});
    const refunded = await k.act(order.order_id, 'refunds', { refunded_amount: 4000 });
    const refund = last(refunded, 'refund');
    expect(refund.status).toBe('REFUNDED');
    expect((await checkRequest(refund.request_id))).toMatchObject({ kind: 'refund_status', status: 'REFUNDED' });

    await behindTheBack(`${shipped.klarna.order_id}/refunds`, { refunded_amount: 6000 });
    const refused = await k.act(order.order_id, 'refunds', { refunded_amount: 1000 });
    expect(last(refused, 'refund')).toMatchObject({ status: 'FAILED', http_status: 403, error_code: 'REFUND_NOT_ALLOWED' });
    expect((await checkRequest(last(refused, 'refund').request_id))).toMatchObject({ kind: 'refund_status', status: 'FAILED' });
  });

  it('the requests Cybersource does not name: update and extension AUTHORIZED, shipping info COMPLETED', async () => {
    const order = await authorized();
    expect(last(await k.act(order.order_id, 'extend'), 'extend_authorization').status).toBe('AUTHORIZED');
    const shipped = await k.act(order.order_id, 'ship', { capture: false, shipping_info: [{ shipping_company: 'DHL', tracking_number: 'D-1' }] });
    expect(shipped.state).toBe('shipped');
    expect(last(shipped, 'shipping_info').status).toBe('COMPLETED');
    expect((await k.providerOrder(order.klarna.order_id)).shipping_info).toEqual([expect.objectContaining({ tracking_number: 'D-1' })]);
  });

  it("requests are another account's 404", async () => {
    const order = await authorized();
    const other = await k.t.createMerchant();
    expect((await k.t.request('GET', `/merchant/v1/requests/${order.requests[0].request_id}`, { merchant: other })).statusCode).toBe(404);
    expect((await k.t.request('POST', `/merchant/v1/requests/${order.requests[0].request_id}/check`, { merchant: other, body: {} })).statusCode).toBe(404);
  });
});
