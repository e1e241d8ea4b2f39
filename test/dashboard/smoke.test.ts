import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { signIn } from '../support/dashboard.js';
import { placeOrder } from '../support/flows.js';

let t: TestKassa;
beforeAll(async () => (t = await startTestKassa()));
afterAll(async () => t.close());

it('smoke', async () => {
  const { orderId } = await placeOrder(t);
  const u = await signIn(t);
  for (const url of ['/dashboard', '/dashboard/orders', `/dashboard/orders/${orderId}`, '/dashboard/webhooks', '/dashboard/clock', '/dashboard/sessions', '/dashboard/merchant-orders', '/dashboard/payment-requests', '/dashboard/customer-tokens']) {
    const res = await u.get(url);
    expect(res.statusCode, url + res.body.slice(0, 2000)).toBe(200);
  }
  const cap = await u.post(`/dashboard/orders/${orderId}/capture`, { amount: '5000' });
  expect(cap.statusCode, cap.body).toBe(303);
  const page = await u.get(`/dashboard/orders/${orderId}?done=captured`);
  console.log(page.body.slice(0, 200));
  expect(page.body).toContain('PART_CAPTURED');
});
