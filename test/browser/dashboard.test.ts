/**
 * The dashboard in Chromium: sign in, find the order an API call just made, watch its capture
 * appear live, refund from the page and see the API agree, replay a failed webhook delivery,
 * advance the test clock and see an authorization expire, accept a pending fraud review.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserKassa, type BrowserKassa } from './support/browser-kassa.js';
import { orderViaApi, signInToDashboard } from './support/dashboard.js';

let k: BrowserKassa;
beforeAll(async () => {
  k = await startBrowserKassa();
});
afterAll(async () => k?.close());
afterEach(() => {
  expect(k.problems).toEqual([]);
});

const flushOutbox = async () => {
  await k.t.kassa.deps.outbox.stop();
  await k.t.kassa.deps.outbox.pollAll();
};

describe('dashboard', () => {
  it('sign in, find the order an API call just made, watch its capture appear live, refund it and the API agrees', async () => {
    const page = await k.newPage();
    await signInToDashboard(k, page);
    const orderId = await orderViaApi(k);

    await page.getByRole('link', { name: 'Orders', exact: true }).click();
    await page.getByLabel('Search').fill(orderId);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('link', { name: orderId }).click();
    await page.getByRole('heading', { name: `Order ${orderId}` }).waitFor();
    expect(await page.locator('.current-state').textContent()).toBe('AUTHORIZED');
    await page.waitForFunction(() => document.body.getAttribute('data-live-state') === 'open');

    // The test's own API call captures; the open page shows it without a reload.
    const capture = await k.api('POST', `/ordermanagement/v1/orders/${orderId}/captures`, { captured_amount: 4000, description: 'Shipped box 1' });
    expect(capture.status).toBe(201);
    await page.locator('[data-money="captured"]', { hasText: '40.00 SEK' }).waitFor({ timeout: 5000 });
    expect(await page.locator('.current-state').textContent()).toBe('PART_CAPTURED');
    await page.getByText('order.captured').waitFor();
    await page.getByText('Shipped box 1').first().waitFor();

    await page.getByLabel(/Amount to refund/).fill('1500');
    await page.getByRole('button', { name: 'Refund' }).click();
    await page.getByText('Refunded.').waitFor();
    const order = await k.api('GET', `/ordermanagement/v1/orders/${orderId}`);
    expect(order.body).toMatchObject({ captured_amount: 4000, refunded_amount: 1500, status: 'PART_CAPTURED' });
    expect(order.body.refunds).toHaveLength(1);
    expect(await page.locator('[data-money="refunded"]').textContent()).toBe('15.00 SEK');
    await page.close();
  });

  it('replay a failed webhook delivery', async () => {
    const key = await k.api('POST', '/v2/notification/signing-keys');
    const hook = await k.api('POST', '/v2/notification/webhooks', { url: 'https://partner.example/hooks', event_types: ['*'], signing_key_id: key.body.signing_key_id });
    expect(hook.status).toBe(201);
    k.t.transport.respond = () => 503;
    const sim = await k.api('POST', `/v2/notification/webhooks/${hook.body.webhook_id}/simulate`, { event_type: 'payment.request.state-change.completed' });
    await flushOutbox();
    for (let hour = 0; hour < 13; hour++) {
      await k.api('POST', '/sandbox/v1/clock/advance', { seconds: 3600 });
      await flushOutbox();
    }
    const page = await k.newPage();
    await signInToDashboard(k, page);
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('link', { name: sim.body.delivery_id }).click();
    await page.getByRole('heading', { name: `Delivery ${sim.body.delivery_id}` }).waitFor();
    expect(await page.locator('.headline .state').textContent()).toBe('FAILED');
    expect(await page.locator('table.list tbody tr').count()).toBeGreaterThan(3);
    await page.getByText('503').first().waitFor();
    expect(await page.locator('pre.code.wrap').textContent()).toBe(k.t.transport.deliveries[0]!.body);

    k.t.transport.respond = () => 200;
    await page.getByRole('button', { name: 'Replay delivery' }).click();
    await page.getByText('Delivery replayed').waitFor();
    const newId = new URL(page.url()).pathname.split('/').pop()!;
    expect(newId).not.toBe(sim.body.delivery_id);
    await flushOutbox();
    await page.reload();
    expect(await page.locator('.headline .state').textContent()).toBe('DELIVERED');
    expect(k.t.transport.deliveries.at(-1)!.body).toBe(k.t.transport.deliveries[0]!.body);
    const api = await k.api('GET', `/v2/notification/webhooks/${hook.body.webhook_id}/deliveries/${newId}`);
    expect(api.body.status).toBe('DELIVERED');
    await k.api('DELETE', `/v2/notification/webhooks/${hook.body.webhook_id}`);
    await page.close();
  });

  it('accept a pending fraud review', async () => {
    const orderId = await orderViaApi(k, 'customer+pend-accept-05@email.us');
    const page = await k.newPage();
    await signInToDashboard(k, page);
    await page.goto(`${k.url}/dashboard/orders/${orderId}`);
    await page.getByText('Fraud review pending.').waitFor();
    expect(await page.getByRole('button', { name: 'Capture' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByText('Fraud review accepted.').waitFor();
    expect((await k.api('GET', `/ordermanagement/v1/orders/${orderId}`)).body.fraud_status).toBe('ACCEPTED');
    await page.getByRole('button', { name: 'Capture' }).waitFor();
    await page.getByText('order.fraud-accepted').waitFor();
    await page.close();
  });

  it('advance the clock and see an authorization expire', async () => {
    const orderId = await orderViaApi(k);
    const page = await k.newPage();
    await signInToDashboard(k, page);
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Test clock' }).click();
    await page.getByRole('heading', { name: 'Test clock' }).waitFor();
    await page.locator(`a[href="/dashboard/orders/${orderId}"]`).first().waitFor();
    await page.getByLabel('Advance by').fill('29');
    await page.getByLabel('Unit').selectOption('days');
    await page.getByRole('button', { name: 'Advance clock' }).click();
    await page.getByText('Clock advanced.').waitFor();
    expect((await k.api('GET', `/ordermanagement/v1/orders/${orderId}`)).body.status).toBe('EXPIRED');
    await page.goto(`${k.url}/dashboard/orders/${orderId}`);
    expect(await page.locator('.current-state').textContent()).toBe('EXPIRED');
    await page.getByText('order.expired').waitFor();
    await page.getByText('No action is possible in state EXPIRED (final).').waitFor();
    await page.close();
  });

  it('signs out', async () => {
    const page = await k.newPage();
    await signInToDashboard(k, page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    await page.goto(`${k.url}/dashboard/orders`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.close();
  });
});
