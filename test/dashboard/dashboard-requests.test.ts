/**
 * The dashboard's requests log and operations panel, wired to the requests log (src/http/request-log.ts)
 * and the metrics summary: an API call appears on /dashboard/requests with its status, its detail
 * page shows the redacted bodies, an order's timeline links each event to the request that caused
 * it, and another account sees none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type DashboardUser } from '../support/dashboard.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { newOrder, omPath } from '../support/om.js';

let t: TestKassa;
let user: DashboardUser;
beforeAll(async () => {
  t = await startTestKassa();
  user = await signIn(t);
});
afterAll(async () => t.close());

describe('requests log pages', () => {
  it('lists the account’s API requests newest first and shows one with its redacted bodies', async () => {
    const orderId = await newOrder(t);
    const capture = await t.request('POST', omPath(orderId, '/captures'), { body: { captured_amount: 1000 } });
    expect(capture.statusCode, capture.body).toBe(201);
    const correlationId = String(capture.headers['klarna-correlation-id']);

    const list = await user.get('/dashboard/requests');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('<table class="list requests-log">');
    const first = list.body.indexOf(correlationId);
    expect(first).toBeGreaterThan(0);
    expect(list.body).toContain(`/dashboard/requests/${encodeURIComponent(correlationId)}`);
    expect(list.body).toContain('aria-current="page"');

    const detail = await user.get(`/dashboard/requests/${encodeURIComponent(correlationId)}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('captured_amount');
    expect(detail.body).not.toContain(t.merchant.password);
  });

  it('shows, on each of an order’s events, the request that caused it (method, route, status), linked to the requests log', async () => {
    const orderId = await newOrder(t);
    const cancel = await t.request('POST', omPath(orderId, '/cancel'));
    expect(cancel.statusCode, cancel.body).toBe(204);
    const page = await user.get(`/dashboard/orders/${encodeURIComponent(orderId)}`);
    expect(page.statusCode).toBe(200);
    const correlationId = String(cancel.headers['klarna-correlation-id']);
    expect(page.body).toContain(`caused by <a href="/dashboard/requests/${encodeURIComponent(correlationId)}"><code>POST /ordermanagement/v1/orders/:order_id/cancel</code></a>`);
    // The order's creation came from its own request, logged too.
    expect(page.body.match(/caused by <a href="\/dashboard\/requests\//g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('answers 404 for another account’s request and for an unknown one', async () => {
    const capture = await t.request('POST', omPath(await newOrder(t), '/captures'), { body: { captured_amount: 500 } });
    const correlationId = encodeURIComponent(String(capture.headers['klarna-correlation-id']));
    const other = await signIn(t, await t.createMerchant('dash-requests-other'));
    expect((await other.get(`/dashboard/requests/${correlationId}`)).statusCode).toBe(404);
    expect((await other.get('/dashboard/requests')).body).not.toContain(decodeURIComponent(correlationId));
    expect((await user.get('/dashboard/requests/no-such-request')).statusCode).toBe(404);
  });

  it('shows the operations figures on the home page', async () => {
    const home = await user.get('/dashboard');
    expect(home.body).toContain('Requests in the last minute');
    expect(home.body).toContain('Failed deliveries');
  });
});
