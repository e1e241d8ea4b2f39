/**
 * The demo checkout end to end in Chromium, one customer path per test, each checked against the
 * session (Payments v1) and the order (Order Management) read back over the API as the demo shop.
 * Personas are Klarna's playground ones (reference §5): customer@ approves, customer+denied@
 * declines, customer+pend-accept-05@ approves pending a fraud review, the code 999999 fails.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserKassa, type BrowserKassa } from './support/browser-kassa.js';
import { chooseCategory, closeJourney, confirmedOrderId, identifyAndVerify, journeyFrame, openJourney, recordResponses, startCheckout, statusText } from './support/demo-checkout.js';

let k: BrowserKassa;

beforeAll(async () => {
  k = await startBrowserKassa();
});
afterAll(async () => k?.close());
afterEach(() => {
  expect(k.problems).toEqual([]);
});

async function sessionOf(id: string) {
  const res = await k.api('GET', `/payments/v1/sessions/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function orderOf(id: string) {
  const res = await k.api('GET', `/ordermanagement/v1/orders/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('demo checkout in Chromium', () => {
  it('approves: the order is placed server-side and the confirmation shows it', async () => {
    const page = await k.newPage();
    const session = await startCheckout(k, page, 'customer@email.us');
    expect(session.payment_method_categories.map((c) => c.identifier)).toEqual(['pay_later', 'pay_over_time']);
    const j = await openJourney(page);
    expect(await j.getByLabel('Email or mobile phone number').inputValue()).toBe('customer@email.us');
    await identifyAndVerify(j);
    const placed = await recordResponses(page, '/demo/api/orders');
    await j.getByRole('button', { name: 'Buy' }).click();
    const orderId = await confirmedOrderId(page);
    expect(placed.map((o) => o.order_id)).toEqual([orderId]);
    expect(await page.locator('#order-status').textContent()).toBe('AUTHORIZED');
    expect(await page.locator('#fraud-status').textContent()).toBe('ACCEPTED');
    expect(await page.getByRole('heading', { name: 'Capture the full amount' }).count()).toBe(1);

    const s = await sessionOf(session.session_id);
    expect(s.status).toBe('complete');
    expect(s.order_id).toBe(orderId);
    expect(s.customer.email).toBe('customer@email.us');
    const order = await orderOf(orderId);
    expect(order).toMatchObject({ order_id: orderId, status: 'AUTHORIZED', fraud_status: 'ACCEPTED', merchant_reference1: session.merchant_reference1, purchase_currency: 'USD' });
    expect(order.order_amount).toBe(s.order_amount);
    expect(order.initial_payment_method.type).toBe('INVOICE');
    await page.close();
  });

  it('pays over time with the plan the customer picked', async () => {
    const page = await k.newPage();
    const session = await startCheckout(k, page, 'customer@email.us');
    await chooseCategory(page, 'Pay over time');
    const j = await openJourney(page);
    await identifyAndVerify(j);
    const plans = j.getByRole('radio');
    // The plan step renders after the code is verified (a round trip); count() does not wait, and
    // the journey renders the plans' fieldset in one go, so the first radio means all of them.
    await plans.first().waitFor();
    expect(await plans.count()).toBe(3);
    await j.getByRole('radio', { name: /^12 monthly payments/ }).check();
    const placed = await recordResponses(page, '/demo/api/orders');
    await j.getByRole('button', { name: 'Buy' }).click();
    const orderId = await confirmedOrderId(page);
    expect(placed[0].authorized_payment_method).toEqual({ type: 'fixed_sum_credit', number_of_installments: 12 });
    const order = await orderOf(orderId);
    expect(order.initial_payment_method).toMatchObject({ type: 'FIXED_SUM_CREDIT', number_of_installments: 12 });
    expect((await sessionOf(session.session_id)).status).toBe('complete');
    await page.close();
  });

  it('denies customer+denied@email.us: no authorization, no order, Klarna withdrawn', async () => {
    const page = await k.newPage();
    const session = await startCheckout(k, page, 'customer+denied@email.us');
    const j = await openJourney(page);
    await identifyAndVerify(j);
    await j.getByRole('button', { name: 'Buy' }).click();
    await j.getByRole('heading', { name: /can’t approve this purchase/ }).waitFor();
    await j.getByRole('button', { name: 'Back to demo-shop' }).click();
    await page.locator(journeyFrame).waitFor({ state: 'detached' });
    await expect.poll(() => statusText(page)).toMatch(/could not approve this purchase/);
    expect(await page.getByRole('button', { name: 'Place order' }).isVisible()).toBe(false);

    const s = await sessionOf(session.session_id);
    expect(s.status).toBe('incomplete');
    expect(s.authorization_token).toBeUndefined();
    expect(s.order_id).toBeUndefined();
    await page.close();
  });

  it('pending review (customer+pend-accept-05@email.us): the order waits, then the test clock accepts it', async () => {
    const page = await k.newPage();
    const session = await startCheckout(k, page, 'customer+pend-accept-05@email.us');
    const j = await openJourney(page);
    await identifyAndVerify(j);
    await j.getByRole('button', { name: 'Buy' }).click();
    const orderId = await confirmedOrderId(page);
    expect(await page.locator('#fraud-status').textContent()).toBe('PENDING');
    expect(await page.getByText('do not ship yet').count()).toBe(1);

    expect((await sessionOf(session.session_id)).status).toBe('complete');
    expect(await orderOf(orderId)).toMatchObject({ status: 'AUTHORIZED', fraud_status: 'PENDING' });
    expect((await k.api('POST', '/sandbox/v1/clock/advance', { seconds: 4 * 60 })).status).toBe(200);
    expect((await orderOf(orderId)).fraud_status).toBe('PENDING');
    expect((await k.api('POST', '/sandbox/v1/clock/advance', { seconds: 60 })).status).toBe(200);
    expect((await orderOf(orderId)).fraud_status).toBe('ACCEPTED');
    await page.close();
  });

  it('closing the journey answers show_form true: nothing is authorized and the customer can try again', async () => {
    const page = await k.newPage();
    const session = await startCheckout(k, page, 'customer@email.us');
    await openJourney(page);
    await closeJourney(page);
    await expect.poll(() => statusText(page)).toMatch(/not completed. You can try again/);
    expect(await page.getByRole('button', { name: 'Place order' }).isEnabled()).toBe(true);
    const s = await sessionOf(session.session_id);
    expect(s.status).toBe('incomplete');
    expect(s.authorization_token).toBeUndefined();

    // The same session still works.
    const j = await openJourney(page);
    await identifyAndVerify(j);
    await j.getByRole('button', { name: 'Buy' }).click();
    const orderId = await confirmedOrderId(page);
    expect((await sessionOf(session.session_id)).order_id).toBe(orderId);
    await page.close();
  });

  it('a failing one-time code (999999) does not get past the code step', async () => {
    const page = await k.newPage();
    const session = await startCheckout(k, page, 'customer@email.us');
    const j = await openJourney(page);
    await identifyAndVerify(j, '999999');
    await j.getByRole('alert').filter({ hasText: 'That code is not correct' }).waitFor();
    expect(await j.getByLabel('One-time code').getAttribute('aria-invalid')).toBe('true');
    expect(await j.getByRole('button', { name: 'Buy' }).count()).toBe(0);
    await closeJourney(page);
    await expect.poll(() => statusText(page)).toMatch(/not completed/);

    const s = await sessionOf(session.session_id);
    expect(s.status).toBe('incomplete');
    expect(s.authorization_token).toBeUndefined();
    expect(s.order_id).toBeUndefined();
    await page.close();
  });
});
