/**
 * The merchant role against a fake Klarna-compatible provider on a real socket ("any other
 * Klarna-compatible URL"): the whole workflow, and the failures Kassa's own provider will not
 * produce on request — 5xx after the effect, timeouts, refused updates — resolved by reading the
 * order back, never by doing anything twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cartOf, getOrder, json, line, pairOf, requestsOf, standardCart, withFakeProvider, type FakeSetup } from './support.js';

let s: FakeSetup;
beforeEach(async () => (s = await withFakeProvider()));
afterEach(async () => s.close());

async function checkout(body: unknown = standardCart()) {
  const res = await s.t.request('POST', '/merchant/v1/orders', { body });
  expect(res.statusCode, res.body).toBe(201);
  return json(res);
}

async function placed(fraud: 'ACCEPTED' | 'PENDING' | 'REJECTED' = 'ACCEPTED') {
  const order = await checkout();
  const token = s.fake.authorize(order.checkout.session_id, fraud);
  const res = await s.t.request('POST', `/merchant/v1/orders/${order.order_id}/authorize`, { body: { authorization_token: token } });
  expect(res.statusCode, res.body).toBe(200);
  return json(res);
}

async function post(orderId: string, action: string, body?: unknown, headers?: Record<string, string>) {
  return s.t.request('POST', `/merchant/v1/orders/${orderId}/${action}`, { body: body ?? {}, headers });
}

describe('merchant role against another Klarna-compatible provider', () => {
  it('starts a checkout: creates the session with an idempotency key and answers what the JS SDK needs', async () => {
    const order = await checkout();
    expect(order.state).toBe('checkout');
    expect(pairOf(order)).toBe('Uncleared/Initialized');
    expect(order.checkout).toMatchObject({ session_id: expect.any(String), client_token: expect.stringContaining('fake.'), payment_method_categories: [expect.objectContaining({ identifier: 'pay_later' })] });
    expect(requestsOf(order)).toEqual(['session:INITIATED']);
    const [call] = s.fake.callsTo('POST', /^\/payments\/v1\/sessions$/);
    expect(call!.idempotencyKey).toBe(order.requests[0].idempotency_key);
    expect((call!.body!.merchant_urls as { notification: string }).notification).toMatch(/\/merchant\/v1\/notifications\/[\w-]{20,}$/);
    expect(call!.body).toMatchObject({ purchase_country: 'SE', order_amount: 10000, merchant_reference1: 'shop-order-1' });
  });

  it('places the order, checks its status and is ready to ship (MultiSafepay row 2)', async () => {
    const order = await placed();
    expect(order.state).toBe('ready_to_ship');
    expect(pairOf(order)).toBe('Completed/Uncleared');
    expect(requestsOf(order)).toEqual(['session:COMPLETED', 'authorization:AUTHORIZED', 'check_status:AUTHORIZED']);
    expect(order.klarna).toMatchObject({ order_id: expect.any(String), fraud_status: 'ACCEPTED', status: 'AUTHORIZED' });
    expect(order.checkout).toBeNull();
    expect(JSON.stringify(order)).not.toContain(s.fake.calls.find((c) => c.path.includes('/authorizations/'))!.path.split('/')[4]);
  });

  it('ships and captures on shipment with the shipping info; capture carries its step id as reference and key', async () => {
    const order = await placed();
    const res = await post(order.order_id, 'ship', { shipping_info: [{ shipping_company: 'DHL', tracking_number: 'T1' }] });
    const after = json(res);
    expect(res.statusCode).toBe(200);
    expect(after.state).toBe('captured');
    expect(pairOf(after)).toBe('Shipped/Uncleared');
    const captureReq = after.requests.find((r: any) => r.kind === 'capture');
    expect(captureReq.status).toBe('SETTLED');
    const [call] = s.fake.callsTo('POST', /\/captures$/);
    expect(call!.idempotencyKey).toBe(captureReq.idempotency_key);
    expect(call!.body).toMatchObject({ captured_amount: 10000, reference: captureReq.idempotency_key, shipping_info: [{ shipping_company: 'DHL', tracking_number: 'T1' }] });
    expect(after.captures).toEqual([expect.objectContaining({ captured_amount: 10000, status: 'SETTLED', settlement: 'PENDING' })]);
  });

  it('captures partially, then the rest; closes a part-captured order by releasing the remainder', async () => {
    const order = await placed();
    let after = json(await post(order.order_id, 'captures', { captured_amount: 3000 }));
    expect(after.state).toBe('part_captured');
    after = json(await post(order.order_id, 'close'));
    expect(after.state).toBe('captured');
    expect(requestsOf(after).slice(-2)).toEqual(['capture:SETTLED', 'reversal:AUTH_REVERSED']);
    expect(s.fake.orders.get(after.klarna.order_id)!.remaining_authorized_amount).toBe(0);
  });

  it('capture refused because the order grew -> updates the reservation -> captures again (Spryker)', async () => {
    const order = await placed();
    const bigger = cartOf([line('Tennis racket', 8000), line('Balls', 1000, 2), line('Shipping', 500, 1, 'shipping_fee')]);
    const cartRes = await s.t.request('PUT', `/merchant/v1/orders/${order.order_id}/cart`, { body: { order_amount: bigger.order_amount, order_tax_amount: bigger.order_tax_amount, order_lines: bigger.order_lines } });
    expect(cartRes.statusCode, cartRes.body).toBe(200);
    const after = json(await post(order.order_id, 'ship', { shipping_info: [] }));
    expect(after.state).toBe('captured');
    expect(requestsOf(after).slice(3)).toEqual(['capture:FAILED', 'update_authorization:AUTHORIZED', 'capture:SETTLED']);
    expect(after.timeline.map((e: any) => e.state)).toEqual(expect.arrayContaining(['capturing', 'updating', 'captured']));
    expect(after.captured_amount).toBe(10500);
    const provider = s.fake.orders.get(after.klarna.order_id)!;
    expect(provider).toMatchObject({ order_amount: 10500, captured_amount: 10500 });
    expect(s.fake.callsTo('PATCH', /\/authorization$/)[0]!.body).toMatchObject({ order_amount: 10500, order_lines: bigger.order_lines });
  });

  it('capture refused and the update refused too -> capture_failed; the merchant may cancel', async () => {
    const order = await placed();
    s.fake.refuseUpdates = true;
    const bigger = cartOf([line('Tennis racket', 8000), line('Balls', 1000, 2), line('Shipping', 500, 1, 'shipping_fee')]);
    await s.t.request('PUT', `/merchant/v1/orders/${order.order_id}/cart`, { body: { order_amount: bigger.order_amount, order_tax_amount: bigger.order_tax_amount, order_lines: bigger.order_lines } });
    const after = json(await post(order.order_id, 'ship', {}));
    expect(after.state).toBe('capture_failed');
    expect(pairOf(after)).toBe('Shipped/Uncleared');
    expect(requestsOf(after).slice(3)).toEqual(['capture:FAILED', 'update_authorization:FAILED']);
    const cancelled = json(await post(order.order_id, 'cancel'));
    expect(cancelled.state).toBe('cancelled');
    expect(pairOf(cancelled)).toBe('Void/Cancelled');
  });

  it('a 5xx after the provider captured: outcome unknown, read back before retrying, one capture only', async () => {
    const order = await placed();
    s.fake.fault('POST', /\/captures$/, 'commit-then-500');
    let after = json(await post(order.order_id, 'captures', { captured_amount: 4000 }));
    expect(after.state).toBe('capturing');
    expect(after.pending_steps.filter((p: any) => p.kind === 'capture')).toEqual([expect.objectContaining({ kind: 'capture', outcome_unknown: true, attempts: 1 })]);
    expect(after.requests.at(-1)).toMatchObject({ kind: 'capture', status: 'PENDING', error_code: 'OUTCOME_UNKNOWN', http_status: 503 });
    // While the outcome is unknown, nothing else may start.
    const busy = await post(order.order_id, 'cancel');
    expect(busy.statusCode).toBe(409);
    await s.tick(30);
    after = await getOrder(s.t, order.order_id);
    expect(after.state).toBe('part_captured');
    expect(after.requests.at(-1)).toMatchObject({ kind: 'capture', status: 'SETTLED' });
    expect(s.fake.callsTo('POST', /\/captures$/)).toHaveLength(1);
    expect(s.fake.orders.get(after.klarna.order_id)!.captures).toHaveLength(1);
    expect(after.timeline.some((e: any) => e.type === 'merchant_order.step_outcome_unknown')).toBe(true);
  });

  it('a timeout after the provider refunded: resolved by reading the order back', async () => {
    const order = await placed();
    await post(order.order_id, 'ship', {});
    s.fake.fault('POST', /\/refunds$/, 'commit-then-hang');
    let after = json(await post(order.order_id, 'refunds', { refunded_amount: 2500 }));
    expect(after.pending_steps[0]).toMatchObject({ kind: 'refund', outcome_unknown: true });
    expect(after.requests.at(-1).error_messages[0]).toMatch(/timed out/);
    await s.tick(30);
    after = await getOrder(s.t, order.order_id);
    expect(after.refunds).toEqual([expect.objectContaining({ refunded_amount: 2500, status: 'REFUNDED', order_status: 'Completed', transaction_status: 'Completed' })]);
    expect(s.fake.callsTo('POST', /\/refunds$/)).toHaveLength(1);
  });

  it('a 5xx with no effect: re-sent with the same idempotency key, done once', async () => {
    const order = await placed();
    s.fake.fault('POST', /\/captures$/, 'error-500');
    await post(order.order_id, 'captures', { captured_amount: 10000 });
    await s.tick(30);
    const after = await getOrder(s.t, order.order_id);
    expect(after.state).toBe('captured');
    const calls = s.fake.callsTo('POST', /\/captures$/);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.idempotencyKey).toBe(calls[1]!.idempotencyKey);
    expect(s.fake.orders.get(after.klarna.order_id)!.captures).toHaveLength(1);
  });

  it('a provider that never answers: the step gives up after its attempts and the capture FAILED', async () => {
    const order = await placed();
    s.fake.fault('POST', /\/captures$/, 'network', 100);
    s.fake.fault('GET', /^\/ordermanagement\/v1\/orders\/[^/]+$/, 'network', 100);
    await post(order.order_id, 'captures', { captured_amount: 10000 });
    await s.tick(24 * 3600);
    const after = await getOrder(s.t, order.order_id);
    expect(after.state).toBe('capture_failed');
    expect(after.requests.at(-1)).toMatchObject({ kind: 'capture', status: 'FAILED', error_code: 'PROVIDER_UNREACHABLE', attempts: 10 });
  });

  it('pending review: re-checks every 2 hours on the clock until accepted; a notification checks at once', async () => {
    const order = await placed('PENDING');
    expect(order.state).toBe('checking');
    expect(pairOf(order)).toBe('Uncleared/Initialized');
    expect(requestsOf(order).at(-1)).toBe('check_status:PENDING');
    await s.tick(3600);
    expect(requestsOf(await getOrder(s.t, order.order_id)).filter((r) => r.startsWith('check_status'))).toHaveLength(1);
    await s.tick(3600);
    let after = await getOrder(s.t, order.order_id);
    expect(requestsOf(after).filter((r) => r.startsWith('check_status'))).toEqual(['check_status:PENDING', 'check_status:PENDING']);
    s.fake.orders.get(after.klarna.order_id)!.fraud_status = 'ACCEPTED';
    const token = (s.fake.calls.find((c) => c.path === '/payments/v1/sessions')!.body!.merchant_urls as { notification: string }).notification.split('/').pop();
    const n = await s.t.request('POST', `/merchant/v1/notifications/${token}`, { merchant: null, body: { order_id: after.klarna.order_id, event_type: 'FRAUD_RISK_ACCEPTED' } });
    expect(n.statusCode).toBe(200);
    await s.runtime.idle();
    after = await getOrder(s.t, order.order_id);
    expect(after.state).toBe('ready_to_ship');
    expect(after.pending_steps.map((p: any) => p.reason)).toEqual(['expiry']);
    // A duplicate, late notification moves nothing.
    await s.t.request('POST', `/merchant/v1/notifications/${token}`, { merchant: null, body: { order_id: after.klarna.order_id, event_type: 'FRAUD_RISK_REJECTED' } });
    await s.runtime.idle();
    const again = await getOrder(s.t, order.order_id);
    expect(again.state).toBe('ready_to_ship');
  });

  it('denied after review -> cancel (Spryker) -> Void/Cancelled', async () => {
    const order = await placed('PENDING');
    s.fake.orders.get(order.klarna.order_id)!.fraud_status = 'REJECTED';
    await s.tick(2 * 3600);
    const after = await getOrder(s.t, order.order_id);
    expect(after.state).toBe('cancelled');
    expect(pairOf(after)).toBe('Void/Cancelled');
    expect(requestsOf(after).slice(-2)).toEqual(['check_status:FAILED', 'reversal:AUTH_REVERSED']);
  });

  it('a rejected authorization ends the order cancelled; a bad token lets the customer authorize again', async () => {
    let order = await checkout();
    let res = await post(order.order_id, 'authorize', { authorization_token: 'no-such-token' });
    expect(json(res).state).toBe('checkout');
    expect(requestsOf(json(res))).toEqual(['session:COMPLETED', 'authorization:FAILED']);
    res = await post(order.order_id, 'authorize', { authorization_token: s.fake.authorize(order.checkout.session_id, 'REJECTED') });
    order = json(res);
    expect(order.state).toBe('cancelled');
    expect(pairOf(order)).toBe('Void/Cancelled');
    expect(requestsOf(order).at(-1)).toBe('authorization:FAILED');
  });

  it('an unused checkout is abandoned when its session expires (check status ABANDONED, Expired/Expired)', async () => {
    const order = await checkout();
    await s.tick(48 * 3600 + 5);
    const after = await getOrder(s.t, order.order_id);
    expect(after.state).toBe('expired');
    expect(pairOf(after)).toBe('Expired/Expired');
    expect(requestsOf(after)).toEqual(['session:INITIATED', 'check_status:ABANDONED']);
  });

  it('not shipped within the authorization period -> Expired/Expired; extending moves the deadline', async () => {
    const order = await placed();
    const provider = s.fake.orders.get(order.klarna.order_id)!;
    await s.tick(20 * 24 * 3600);
    const extended = json(await post(order.order_id, 'extend'));
    expect(requestsOf(extended).at(-1)).toBe('extend_authorization:AUTHORIZED');
    expect(Date.parse(extended.klarna.expires_at)).toBeGreaterThan(Date.parse(order.klarna.expires_at));
    await s.tick(10 * 24 * 3600);
    expect((await getOrder(s.t, order.order_id)).state).toBe('ready_to_ship');
    provider.status = 'EXPIRED';
    await s.tick(20 * 24 * 3600);
    const after = await getOrder(s.t, order.order_id);
    expect(after.state).toBe('expired');
    expect(pairOf(after)).toBe('Expired/Expired');
  });

  it('settlement and chargeback arrive as notifications and are read back (rows 8 and 9; CHARGEBACK on the capture)', async () => {
    await s.t.request('PUT', '/merchant/v1/settings', { body: { payout_delay_seconds: 3600 } });
    const order = await placed();
    const shipped = json(await post(order.order_id, 'ship', {}));
    const kc = shipped.captures[0].klarna_capture_id;
    const token = (s.fake.calls.find((c) => c.path === '/payments/v1/sessions')!.body!.merchant_urls as { notification: string }).notification.split('/').pop();
    s.fake.settlements.set(kc, 'SETTLED');
    await s.t.request('POST', `/merchant/v1/notifications/${token}`, { merchant: null, body: { order_id: shipped.klarna.order_id, event_type: 'CAPTURE_SETTLED', capture_id: kc } });
    await s.runtime.idle();
    let after = await getOrder(s.t, order.order_id);
    expect(after.state).toBe('settled');
    expect(pairOf(after)).toBe('Shipped/Completed');
    await s.tick(3600);
    after = await getOrder(s.t, order.order_id);
    expect(after.state).toBe('completed');
    expect(pairOf(after)).toBe('Completed/Completed');
    s.fake.settlements.set(kc, 'CHARGEBACK');
    await s.t.request('POST', `/merchant/v1/notifications/${token}`, { merchant: null, body: { event_type: 'CAPTURE_CHARGEBACK', capture_id: kc } });
    await s.runtime.idle();
    after = await getOrder(s.t, order.order_id);
    expect(after.captures[0]).toMatchObject({ status: 'CHARGEBACK', settlement: 'CHARGEBACK' });
    expect(requestsOf(after).filter((r) => r.startsWith('capture_status'))).toEqual(['capture_status:SETTLED', 'capture_status:CHARGEBACK']);
  });

  it('without notifications, settlement is found by the daily poll; without a settlement endpoint the capture stays SETTLED', async () => {
    const order = await placed();
    const shipped = json(await post(order.order_id, 'ship', {}));
    s.fake.settlements.set(shipped.captures[0].klarna_capture_id, 'SETTLED');
    await s.tick(24 * 3600);
    const after = await getOrder(s.t, order.order_id);
    expect(after.state).toBe('completed');
    expect(requestsOf(after).at(-1)).toBe('capture_status:SETTLED');
  });

  it('requests are checkable later by id', async () => {
    const order = await placed();
    const shipped = json(await post(order.order_id, 'ship', {}));
    const captureReq = shipped.requests.find((r: any) => r.kind === 'capture');
    const read = await s.t.request('GET', `/merchant/v1/requests/${captureReq.request_id}`);
    expect(json(read)).toMatchObject({ request_id: captureReq.request_id, order_id: order.order_id, kind: 'capture', status: 'SETTLED' });
    const check = await s.t.request('POST', `/merchant/v1/requests/${captureReq.request_id}/check`, { body: {} });
    expect(check.statusCode, check.body).toBe(200);
    expect(json(check)).toMatchObject({ kind: 'capture_status', status: 'SETTLED', checks_request_id: captureReq.request_id });
    expect(json(await s.t.request('GET', `/merchant/v1/requests/${captureReq.request_id}`)).latest_check).toMatchObject({ status: 'SETTLED' });
    const other = await s.t.createMerchant();
    expect((await s.t.request('GET', `/merchant/v1/requests/${captureReq.request_id}`, { merchant: other })).statusCode).toBe(404);
  });

  it('refunds partially, several times, until fully refunded (a final state)', async () => {
    const order = await placed();
    await post(order.order_id, 'ship', {});
    let after = json(await post(order.order_id, 'refunds', { refunded_amount: 3000 }));
    expect(after.state).toBe('captured');
    expect(after.refunds[0]).toMatchObject({ status: 'REFUNDED', order_status: 'Completed', transaction_status: 'Completed' });
    const tooMuch = await post(order.order_id, 'refunds', { refunded_amount: 7001 });
    expect(tooMuch.statusCode).toBe(403);
    expect(json(tooMuch).error_code).toBe('REFUND_NOT_ALLOWED');
    after = json(await post(order.order_id, 'refunds', { refunded_amount: 7000 }));
    expect(after.state).toBe('refunded');
    expect(after.refunded_amount).toBe(10000);
    expect(requestsOf(after).filter((r) => r.startsWith('refund'))).toEqual(['refund:REFUNDED', 'refund:REFUNDED']);
    expect((await post(order.order_id, 'refunds', { refunded_amount: 1 })).statusCode).toBe(403);
  });

  it("the merchant's Klarna-Idempotency-Key makes a repeat a replay, never a second capture", async () => {
    const order = await placed();
    const first = await post(order.order_id, 'captures', { captured_amount: 1000 }, { 'klarna-idempotency-key': 'cap-1' });
    const second = await post(order.order_id, 'captures', { captured_amount: 1000 }, { 'klarna-idempotency-key': 'cap-1' });
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(s.fake.callsTo('POST', /\/captures$/)).toHaveLength(1);
  });

  it('refuses what the workflow does not allow, with the field or the rule named', async () => {
    const order = await checkout();
    expect(json(await post(order.order_id, 'ship', {}))).toMatchObject({ error_code: 'NOT_ALLOWED' });
    const bad = await s.t.request('POST', '/merchant/v1/orders', { body: { ...standardCart(), order_amount: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error_messages[0]).toMatch(/order_amount/);
    const missing = await s.t.request('POST', '/merchant/v1/orders', { body: { purchase_country: 'SE' } });
    expect(missing.statusCode).toBe(400);
    expect((await s.t.request('GET', '/merchant/v1/orders/nope')).statusCode).toBe(404);
    const other = await s.t.createMerchant();
    expect((await s.t.request('GET', `/merchant/v1/orders/${order.order_id}`, { merchant: other })).statusCode).toBe(404);
    expect((await s.t.request('POST', `/merchant/v1/orders/${order.order_id}/cancel`, { merchant: other, body: {} })).statusCode).toBe(404);
    expect((await s.t.request('GET', `/merchant/v1/orders/${order.order_id}`, { merchant: null })).statusCode).toBe(401);
  });

  it('keeps the provider password sealed: never returned, never stored in clear', async () => {
    const res = await s.t.request('GET', '/merchant/v1/connection');
    expect(json(res)).toMatchObject({ base_url: s.fake.url, username: 'fake-user', source: 'configured' });
    expect(res.body).not.toContain('fake-password');
    const db = (s.t.kassa.deps.engine.store as unknown as { db: { prepare(sql: string): { all(): unknown[] } } }).db;
    const everything = JSON.stringify(db.prepare('SELECT * FROM aggregates').all()) + JSON.stringify(db.prepare('SELECT * FROM events').all());
    expect(everything).toContain('fake-user');
    expect(everything).not.toContain('fake-password');
  });

  it('takes a v2 webhook envelope as a hint too, and ship follows the capture_on_shipment setting', async () => {
    await s.t.request('PUT', '/merchant/v1/settings', { body: { capture_on_shipment: false } });
    const order = await placed();
    const shipped = json(await post(order.order_id, 'ship', { shipping_info: [{ tracking_number: 'T-9' }] }));
    expect(shipped.state).toBe('shipped');
    expect(s.fake.callsTo('POST', /\/captures$/)).toHaveLength(0);
    const captured = json(await post(order.order_id, 'captures', { captured_amount: 10000 }));
    const kc = captured.captures[0].klarna_capture_id;
    s.fake.settlements.set(kc, 'DISPUTED');
    const token = (s.fake.calls.find((c) => c.path === '/payments/v1/sessions')!.body!.merchant_urls as { notification: string }).notification.split('/').pop();
    const res = await s.t.request('POST', `/merchant/v1/notifications/${token}`, {
      merchant: null,
      body: { metadata: { event_type: 'CAPTURE_DISPUTED', event_id: 'e-1', event_version: 'v2' }, payload: { order_id: captured.klarna.order_id, capture_id: kc } },
    });
    expect(res.statusCode).toBe(200);
    await s.runtime.idle();
    const after = await getOrder(s.t, order.order_id);
    expect(after.captures[0]).toMatchObject({ disputed: true, status: 'SETTLED' });
    expect(after.timeline.map((e: any) => e.type)).toContain('merchant_order.capture_disputed');
    expect((await s.t.request('POST', '/merchant/v1/notifications/not-a-token', { merchant: null, body: {} })).statusCode).toBe(404);
  });
});
