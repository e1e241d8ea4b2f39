/**
 * What the dashboard shows and does, in-process: object lists (newest first, paged, filtered,
 * searched), an order's page (state, money, timeline with its deliveries), every order action
 * through the API's own commands (the API agrees afterwards; a double submit acts once; a refused
 * action says why and changes nothing), the sandbox helpers, the test clock, webhook replay, and
 * live mode without the sandbox parts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardLimits } from '../../src/domain/limits.js';
import { signIn, type DashboardUser } from '../support/dashboard.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { dayS, drainOutbox, getOrder, newOrder, omPath } from '../support/om.js';
import { startV2Kassa, type V2Kassa } from '../v2/support.js';
import { merchantRuntimeFor } from '../../src/app/merchant/merchant-runtime.js';
import { inProcessHttp } from '../reliability/support/in-process-http.js';
import { placeMerchantOrder } from '../support/flows.js';

let t: TestKassa;
let user: DashboardUser;
beforeAll(async () => {
  t = await startTestKassa();
  user = await signIn(t);
});
afterAll(async () => {
  await merchantRuntimeFor(t.kassa.deps).idle();
  await t.close();
});

const rowsOf = (body: string) => [...body.matchAll(/<tr>\s*<td><a href="\/dashboard\/orders\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));

describe('lists', () => {
  it('orders newest first, a page at a time, filtered by state and searched by id, reference and email', async () => {
    const own = await startTestKassa();
    try {
      const me = await signIn(own);
      const ids: string[] = [];
      for (let i = 0; i < dashboardLimits.pageSize + 3; i++) {
        own.clock.advance(1000);
        ids.push(await newOrder(own, { email: i === 7 ? 'findme@email.us' : 'customer@email.us', extra: { merchant_reference1: `REF-${i}` } }));
      }
      const first = await me.get('/dashboard/orders');
      expect(rowsOf(first.body)).toEqual(ids.slice().reverse().slice(0, dashboardLimits.pageSize));
      const older = /href="(\/dashboard\/orders\?before=[^"]+)" rel="next"/.exec(first.body)![1]!.replace(/&amp;/g, '&');
      expect(rowsOf((await me.get(older)).body)).toEqual(ids.slice(0, 3).reverse());

      await own.request('POST', omPath(ids[2]!, '/cancel'));
      expect(rowsOf((await me.get('/dashboard/orders?state=CANCELLED')).body)).toEqual([ids[2]]);
      expect(rowsOf((await me.get('/dashboard/orders?q=findme%40email')).body)).toEqual([ids[7]]);
      expect(rowsOf((await me.get('/dashboard/orders?q=REF-11')).body)).toEqual([ids[11]]);
      expect(rowsOf((await me.get(`/dashboard/orders?q=${ids[4]}`)).body)).toEqual([ids[4]]);
      expect((await me.get('/dashboard/orders?q=nothing-like-this')).body).toContain('No orders match');
    } finally {
      await own.close();
    }
  });

  it('every kind of object has its list and its page', async () => {
    const { sessionId, orderId } = await import('../support/flows.js').then((f) => f.placeOrder(t));
    expect((await user.get('/dashboard/sessions')).body).toContain(sessionId);
    const session = await user.get(`/dashboard/sessions/${sessionId}`);
    expect(session.statusCode).toBe(200);
    expect(session.body).toContain(orderId);
    expect(session.body).toContain('class="node node-current node-final"');
    for (const slug of ['customer-tokens', 'payment-requests', 'merchant-orders']) expect((await user.get(`/dashboard/${slug}`)).statusCode).toBe(200);
    expect((await user.get('/dashboard/no-such-kind')).statusCode).toBe(404);
    expect((await user.get('/dashboard/orders/no-such-order')).statusCode).toBe(404);
    const deep = await user.get('/dashboard/orders/x/y/z');
    expect(deep.statusCode).toBe(404);
    expect(deep.headers['content-type']).toMatch(/^text\/html/);
  });
});

describe("an order's page and its actions", () => {
  it('shows state, money and timeline, and captures, refunds and releases through the API commands', async () => {
    const orderId = await newOrder(t);
    const page = await user.get(`/dashboard/orders/${orderId}`);
    expect(page.body).toContain('Current state: <strong class="current-state">AUTHORIZED</strong>');
    expect(page.body).toContain('order.placed');
    expect(page.body).toMatch(/data-money="remaining">100\.00 SEK/);

    expect((await user.post(`/dashboard/orders/${orderId}/capture`, { amount: '3000', description: 'First box' })).headers.location).toBe(`/dashboard/orders/${orderId}?done=captured`);
    let order = await getOrder(t, orderId);
    expect(order).toMatchObject({ status: 'PART_CAPTURED', captured_amount: 3000, remaining_authorized_amount: 7000 });
    expect(order.captures[0].description).toBe('First box');

    expect((await user.post(`/dashboard/orders/${orderId}/refund`, { amount: '1000' })).statusCode).toBe(303);
    expect((await user.post(`/dashboard/orders/${orderId}/extend`)).statusCode).toBe(303);
    expect((await user.post(`/dashboard/orders/${orderId}/release`)).statusCode).toBe(303);
    order = await getOrder(t, orderId);
    expect(order).toMatchObject({ status: 'CAPTURED', captured_amount: 3000, refunded_amount: 1000, remaining_authorized_amount: 0 });

    const after = await user.get(`/dashboard/orders/${orderId}?done=released`);
    expect(after.body).toContain('Remaining authorization released.');
    for (const type of ['order.captured', 'order.refunded', 'order.authorization-extended', 'order.authorization-released']) expect(after.body).toContain(type);
    expect(after.body).toMatch(/data-money="captured">30\.00 SEK/);
    expect(after.body).toMatch(/data-money="refunded">10\.00 SEK/);
    // Only what the state allows is offered: a captured order can be refunded, not captured or cancelled.
    expect(after.body).toContain('>Refund</button>');
    expect(after.body).not.toContain('>Capture</button>');
    expect(after.body).not.toContain('>Cancel order</button>');
  });

  it('a form submitted twice acts once', async () => {
    const orderId = await newOrder(t);
    const fields = { amount: '2000', _key: 'same-form-key-0123456789' };
    expect((await user.post(`/dashboard/orders/${orderId}/capture`, fields)).headers.location).toContain('done=captured');
    expect((await user.post(`/dashboard/orders/${orderId}/capture`, fields)).headers.location).toContain('done=repeated');
    expect((await getOrder(t, orderId)).captures).toHaveLength(1);
  });

  it('a refused action says why, with the API status, and changes nothing', async () => {
    const orderId = await newOrder(t);
    const over = await user.post(`/dashboard/orders/${orderId}/capture`, { amount: '10001' });
    expect(over.statusCode).toBe(403);
    expect(over.body).toContain('role="alert"');
    const api = await t.request('POST', omPath(orderId, '/captures'), { body: { captured_amount: 10001 } });
    expect(api.statusCode).toBe(403);
    expect(over.body).toContain(api.json().error_messages[0].replace(/'/g, '&#39;'));
    const bad = await user.post(`/dashboard/orders/${orderId}/refund`, { amount: 'ten' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Bad value: amount');
    expect((await getOrder(t, orderId)).captured_amount).toBe(0);
    expect((await user.post(`/dashboard/orders/${orderId}/cancel`)).statusCode).toBe(303);
    expect((await getOrder(t, orderId)).status).toBe('CANCELLED');
    expect((await user.post(`/dashboard/orders/${orderId}/cancel`)).statusCode).toBe(403);
  });

  it('sandbox: accept or reject a pending fraud review now; the merchant is notified', async () => {
    const accepted = await newOrder(t, { email: 'customer+pend-accept-05@email.us', extra: { merchant_urls: { notification: 'https://shop.example/notify' } } });
    const page = await user.get(`/dashboard/orders/${accepted}`);
    expect(page.body).toContain('Fraud review pending.');
    expect(page.body).not.toContain('>Capture</button>');
    expect((await user.post(`/dashboard/orders/${accepted}/fraud-review/accept`)).statusCode).toBe(303);
    expect((await getOrder(t, accepted)).fraud_status).toBe('ACCEPTED');
    // The review timer went with it: moving the clock past it changes nothing.
    await t.advance(600);
    expect((await getOrder(t, accepted)).fraud_status).toBe('ACCEPTED');
    await drainOutbox(t);
    expect(t.transport.deliveries.some((d) => d.url === 'https://shop.example/notify' && d.body.includes('FRAUD_RISK_ACCEPTED'))).toBe(true);
    const timeline = (await user.get(`/dashboard/orders/${accepted}`)).body;
    expect(timeline).toContain('order.fraud-accepted');
    expect(timeline).toMatch(/Notification <code>FRAUD_RISK_ACCEPTED<\/code> to <span class="url">https:\/\/shop\.example\/notify<\/span> <span class="state state-good">DELIVERED/);

    const rejected = await newOrder(t, { email: 'customer+pend-accept-05@email.us' });
    expect((await user.post(`/dashboard/orders/${rejected}/fraud-review/reject`)).statusCode).toBe(303);
    expect(await getOrder(t, rejected)).toMatchObject({ fraud_status: 'REJECTED', status: 'CANCELLED' });
    expect((await user.post(`/dashboard/orders/${rejected}/fraud-review/accept`)).statusCode).toBe(403);
  });

  it('sandbox API: the same fraud decision is POST /sandbox/v1/orders/{id}/fraud-review', async () => {
    const orderId = await newOrder(t, { email: 'customer+pend-accept-05@email.us' });
    const path = `/sandbox/v1/orders/${orderId}/fraud-review`;
    expect((await t.request('POST', path, { body: { outcome: 'MAYBE' } })).statusCode).toBe(400);
    const res = await t.request('POST', path, { body: { outcome: 'ACCEPTED' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ order_id: orderId, fraud_status: 'ACCEPTED', status: 'AUTHORIZED' });
    expect((await t.request('POST', path, { body: { outcome: 'REJECTED' } })).statusCode).toBe(403);
    expect((await t.request('POST', `/sandbox/v1/orders/no-such-order/fraud-review`, { body: { outcome: 'ACCEPTED' } })).statusCode).toBe(404);
  });

  it('sandbox: settle or dispute a capture', async () => {
    const orderId = await newOrder(t);
    await user.post(`/dashboard/orders/${orderId}/capture`, { amount: '4000' });
    await user.post(`/dashboard/orders/${orderId}/capture`, { amount: '6000' });
    const [a, b] = (await getOrder(t, orderId)).captures;
    expect((await user.post(`/dashboard/orders/${orderId}/captures/${a.capture_id}/settle`)).statusCode).toBe(303);
    expect((await user.post(`/dashboard/orders/${orderId}/captures/${b.capture_id}/dispute`)).statusCode).toBe(303);
    const settlement = (id: string) => t.request('GET', `/sandbox/v1/orders/${orderId}/captures/${id}/settlement`).then((r) => r.json().status);
    expect(await settlement(a.capture_id)).toBe('SETTLED');
    expect(await settlement(b.capture_id)).toBe('CHARGEBACK');
    const page = (await user.get(`/dashboard/orders/${orderId}`)).body;
    expect(page).toContain('settlement.settled');
    expect(page).toContain('CHARGEBACK');
    expect((await user.post(`/dashboard/orders/${orderId}/captures/no-such-capture/settle`)).statusCode).toBe(404);
  });
});

describe("a merchant order's page and its actions", () => {
  it('shows the MultiSafepay and Cybersource statuses, ships (capturing on shipment), refunds; the merchant API agrees', async () => {
    merchantRuntimeFor(t.kassa.deps).http = inProcessHttp(t.kassa);
    const placed = await placeMerchantOrder(t);
    expect(placed.state).toBe('ready_to_ship');
    const id = placed.order_id as string;
    const page = await user.get(`/dashboard/merchant-orders/${id}`);
    expect(page.body).toContain('MultiSafepay statuses');
    expect(page.body).toContain('Requests to Klarna (Cybersource statuses)');
    expect(page.body).toContain('>Mark shipped</button>');
    expect((await user.post(`/dashboard/merchant-orders/${id}/ship`)).headers.location).toBe(`/dashboard/merchant-orders/${id}?done=shipped`);
    let api = (await t.request('GET', `/merchant/v1/orders/${id}`)).json();
    expect(api).toMatchObject({ state: 'captured', captured_amount: 10000 });
    expect((await user.post(`/dashboard/merchant-orders/${id}/refund`, { amount: '2500' })).statusCode).toBe(303);
    api = (await t.request('GET', `/merchant/v1/orders/${id}`)).json();
    expect(api.refunded_amount).toBe(2500);
    const after = (await user.get(`/dashboard/merchant-orders/${id}`)).body;
    // Every request the merchant role sent is listed with its Cybersource status.
    for (const kind of ['session', 'authorization', 'capture', 'refund']) expect(after).toMatch(new RegExp(`<td>${kind}</td><td><span class="state state-[a-z]+">[A-Z_]+</span>`));
    expect(after).not.toContain('>Mark shipped</button>');
    expect((await user.post(`/dashboard/merchant-orders/${id}/ship`)).statusCode).toBeGreaterThanOrEqual(400);
    await merchantRuntimeFor(t.kassa.deps).idle();
  });
});

describe('the test clock', () => {
  it('shows the next deadlines and moves the clock; an authorization expires', async () => {
    const own = await startTestKassa();
    try {
      const me = await signIn(own);
      const orderId = await newOrder(own);
      const clock = await me.get('/dashboard/clock');
      expect(clock.body).toContain('2026-01-15 10:00:00 UTC');
      expect(clock.body).toContain('<code>order.expire</code>');
      expect(clock.body).toContain(`href="/dashboard/orders/${orderId}"`);
      const moved = await me.post('/dashboard/clock/advance', { amount: '29', unit: 'days' });
      expect(moved.headers.location).toMatch(/^\/dashboard\/clock\?done=advanced&fired=\d+$/);
      expect((await getOrder(own, orderId)).status).toBe('EXPIRED');
      const after = await me.get(moved.headers.location as string);
      expect(after.body).toContain('2026-02-13 10:00:00 UTC');
      expect(after.body).toContain('Clock advanced.');
      expect((await own.request('GET', '/sandbox/v1/clock')).json().offset_seconds).toBe(29 * dayS);
      expect((await me.post('/dashboard/clock/advance', { amount: '0', unit: 'days' })).statusCode).toBe(400);
      expect((await me.post('/dashboard/clock/advance', { amount: '1', unit: 'weeks' })).statusCode).toBe(400);
    } finally {
      await own.close();
    }
  });
});

describe('webhooks', () => {
  let k: V2Kassa;
  beforeAll(async () => (k = await startV2Kassa()));
  afterAll(async () => k.close());

  it('lists subscriptions and keys without secrets, shows every attempt, and replays a failed delivery', async () => {
    const me = await signIn(k);
    k.transport.respond = () => 500;
    const request = await k.stepUp();
    await k.flush();
    for (let hour = 0; hour < 13; hour++) {
      await k.advance(3600);
      await k.flush();
    }
    const page = await me.get('/dashboard/webhooks');
    expect(page.body).toContain(k.webhookId);
    expect(page.body).toContain(k.signingKey.signing_key_id);
    expect(page.body).not.toContain(k.signingKey.signing_key);
    const deliveryId = /href="\/dashboard\/deliveries\/([^"]+)"/.exec(page.body)![1]!;
    const detail = await me.get(`/dashboard/deliveries/${deliveryId}`);
    expect(detail.body).toContain('FAILED');
    expect(detail.body).toContain('<span class="state state-bad">500</span>');
    expect(detail.body).not.toContain(k.signingKey.signing_key);
    const sent = k.transport.deliveries[0]!;
    expect(detail.body).toContain(sent.body.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    // The payment request's timeline shows the webhook its event produced, and how it went.
    const pr = await me.get(`/dashboard/payment-requests/${encodeURIComponent(request.payment_request_id)}`);
    expect(pr.body).toContain(`href="/dashboard/deliveries/${deliveryId}"`);

    k.transport.respond = () => 200;
    const replay = await me.post(`/dashboard/deliveries/${deliveryId}/replay`);
    expect(replay.statusCode).toBe(303);
    const newId = /\/dashboard\/deliveries\/([^?]+)\?done=replayed/.exec(replay.headers.location as string)![1]!;
    expect(newId).not.toBe(deliveryId);
    await k.flush();
    expect(k.transport.deliveries.at(-1)!.body).toBe(sent.body);
    const api = await k.request('GET', `/v2/notification/webhooks/${k.webhookId}/deliveries/${newId}`);
    expect(api.json().status).toBe('DELIVERED');
    // A pending delivery is not replayed (it is retried by itself).
    k.transport.respond = () => 500;
    const sim = (await k.request('POST', `/v2/notification/webhooks/${k.webhookId}/simulate`, { body: { event_type: 'payment.request.state-change.completed' } })).json();
    expect((await me.post(`/dashboard/deliveries/${sim.delivery_id}/replay`)).statusCode).toBe(409);
  });
});

describe('live mode', () => {
  it('has no test clock and no sandbox actions', async () => {
    const live = await startTestKassa({ env: { KASSA_MODE: 'live' } });
    try {
      const me = await signIn(live);
      const home = await me.get('/dashboard');
      expect(home.body).not.toContain('Test clock');
      expect(home.body).toContain('>Live<');
      expect((await me.get('/dashboard/clock')).statusCode).toBe(404);
      expect((await me.post('/dashboard/clock/advance', { amount: '1', unit: 'days' })).statusCode).toBe(404);
      for (const path of ['fraud-review/accept', 'fraud-review/reject', 'captures/c1/settle', 'captures/c1/dispute']) {
        expect((await me.post(`/dashboard/orders/some-order/${path}`)).statusCode, path).toBe(404);
      }
      expect((await live.request('GET', '/sandbox/v1/clock')).statusCode).toBe(404);
    } finally {
      await live.close();
    }
  });
});
