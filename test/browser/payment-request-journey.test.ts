/**
 * The v2 step-up in Chromium: the acquiring partner authorizes (STEP_UP_REQUIRED), the customer's
 * browser opens payment_request_url — the shared purchase journey, redirect mode — identifies,
 * enters the one-time code, picks a plan and approves, and lands on the partner's return_url
 * receiver with the placeholders filled in; the partner authorizes again with the token (APPROVED)
 * and reads the order over Order Management. Also: closing the journey (back to SUBMITTED) and a
 * declining persona (DECLINED), each redirected to the return_url with that state.
 * Ports: this file's own range, 46700–46799.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserKassa, startReturnReceiver, type BrowserKassa, type PortRange } from './support/browser-kassa.js';

const ports: PortRange = { first: 46700, last: 46799 };

let k: BrowserKassa;
let receiver: Awaited<ReturnType<typeof startReturnReceiver>>;
let accountId: string;

beforeAll(async () => {
  k = await startBrowserKassa({ ports });
  receiver = await startReturnReceiver(ports);
  k.allowOrigin(receiver.origin);
  accountId = (await k.api('GET', '/sandbox/v1/account')).body.account_id;
});
afterAll(async () => {
  await k?.close();
  await receiver?.close();
});
afterEach(() => {
  expect(k.problems).toEqual([]);
});

const purchase = { currency: 'EUR', request_payment_transaction: { amount: 11800, payment_transaction_reference: 'tx-browser-1' } };

/** authorize with a step-up configuration returning to the receiver: the SUBMITTED request. */
async function stepUp(reference: string): Promise<{ id: string; url: string }> {
  const returnUrl =
    `${receiver.origin}/klarna-return?id={klarna.payment_request.id}&state={klarna.payment_request.state}` +
    '&payment_token={klarna.payment_request.payment_token}&nst={klarna.payment_request.klarna_network_session_token}' +
    '&ref={klarna.payment_request.payment_request_reference}';
  const res = await k.api('POST', `/v2/accounts/${accountId}/payment/authorize`, {
    ...purchase,
    supplementary_purchase_data: { purchase_reference: `order-${reference}`, line_items: [{ name: 'Lamp', quantity: 2, total_amount: 10000 }, { name: 'Shipping', quantity: 1, total_amount: 1800 }] },
    step_up_config: { payment_request_reference: reference, customer_interaction_config: { method: 'HANDOVER', return_url: returnUrl } },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.payment_transaction_response.result).toBe('STEP_UP_REQUIRED');
  const pr = res.body.payment_request;
  expect(pr.state).toBe('SUBMITTED');
  return { id: pr.payment_request_id, url: pr.state_context.customer_interaction.payment_request_url };
}

async function requestOf(id: string) {
  const res = await k.api('GET', `/v2/payment/requests/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Opens payment_request_url and waits for the identify step (the journey has been entered). */
async function openJourney(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Email or mobile phone number').waitFor();
}

async function identifyAndVerify(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email or mobile phone number').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('One-time code').fill('123456');
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'How would you like to pay?' }).waitFor();
}

/** Waits until the browser is on the receiver and answers the query it arrived with. */
async function landedOnReturnUrl(page: Page): Promise<Record<string, string>> {
  await page.waitForURL((u) => u.origin === receiver.origin && u.pathname === '/klarna-return');
  await page.getByRole('heading', { name: 'Back at the partner' }).waitFor();
  const hit = receiver.hits.at(-1)!;
  expect(hit.href).toBe(page.url());
  return Object.fromEntries(hit.searchParams);
}

describe('v2 step-up through the shared purchase journey in Chromium', () => {
  it('authorize -> STEP_UP_REQUIRED -> journey (identify, code, plan, approve) -> return_url -> authorize with the token -> APPROVED -> the order in Order Management', async () => {
    const { id, url } = await stepUp('pr-approve');
    const page = await k.newPage();
    await openJourney(page, url);
    expect((await requestOf(id)).state).toBe('IN_PROGRESS');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Pay /);
    expect(await page.locator('[data-total]').textContent()).toContain('118.00');

    await identifyAndVerify(page, 'customer@email.de');
    await page.getByRole('radio', { name: 'Pay over time' }).check();
    await page.getByRole('radio', { name: /^3 monthly payments/ }).check();
    await page.getByRole('button', { name: 'Buy' }).click();

    const back = await landedOnReturnUrl(page);
    const r = await requestOf(id);
    expect(r).toMatchObject({ state: 'COMPLETED', state_reason: 'PURCHASE_FLOW_COMPLETED', state_context: { klarna_customer: { customer_profile: { email: 'customer@email.de' } } } });
    expect(back).toEqual({
      id,
      state: 'COMPLETED',
      payment_token: r.state_context.payment_token,
      nst: r.state_context.klarna_network_session_token,
      ref: 'pr-approve',
    });

    const authorized = await k.api('POST', `/v2/accounts/${accountId}/payment/authorize`, purchase, { 'Klarna-Network-Session-Token': back.nst! });
    expect(authorized.status, JSON.stringify(authorized.body)).toBe(200);
    const tx = authorized.body.payment_transaction_response;
    expect(tx).toMatchObject({ result: 'APPROVED', payment_transaction: { state: 'AUTHORIZED', amount: 11800, currency: 'EUR', payment_request_id: id } });
    const orderId = tx.payment_transaction.payment_transaction_id.split(':').at(-1);
    const order = await k.api('GET', `/ordermanagement/v1/orders/${orderId}`);
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({
      order_id: orderId,
      status: 'AUTHORIZED',
      order_amount: 11800,
      purchase_currency: 'EUR',
      merchant_reference1: 'tx-browser-1',
      merchant_reference2: 'order-pr-approve',
      initial_payment_method: { type: 'FIXED_SUM_CREDIT', number_of_installments: 3 },
    });
    expect(order.body.order_lines.map((l: { name: string }) => l.name)).toEqual(['Lamp', 'Shipping']);

    // The link of a completed request says so, and "Return to the store" goes back with its state.
    await page.goto(url);
    await page.getByRole('alert').filter({ hasText: 'already approved' }).waitFor();
    await page.getByRole('button', { name: 'Return to the store', exact: true }).click();
    expect((await landedOnReturnUrl(page)).state).toBe('COMPLETED');
    expect((await requestOf(id)).state).toBe('COMPLETED');
    await page.close();
  });

  it('closing the journey aborts: back to SUBMITTED, and the browser returns with that state', async () => {
    const { id, url } = await stepUp('pr-close');
    const page = await k.newPage();
    await openJourney(page, url);
    await page.getByLabel('Email or mobile phone number').fill('customer@email.de');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('One-time code').waitFor();
    expect((await requestOf(id)).state).toBe('IN_PROGRESS');
    await page.getByRole('button', { name: 'Close and return to the store' }).click();

    const back = await landedOnReturnUrl(page);
    expect(back).toEqual({ id, state: 'SUBMITTED', payment_token: '', nst: '', ref: 'pr-close' });
    expect(await requestOf(id)).toMatchObject({ state: 'SUBMITTED', previous_state: 'IN_PROGRESS', state_reason: 'PURCHASE_FLOW_ABORTED' });

    // The same link works again: Escape closes too.
    await openJourney(page, url);
    expect((await requestOf(id)).state).toBe('IN_PROGRESS');
    await page.keyboard.press('Escape');
    expect((await landedOnReturnUrl(page)).state).toBe('SUBMITTED');
    await page.close();
  });

  it('a declining persona: DECLINED, the customer is told and goes back with that state, no token', async () => {
    const { id, url } = await stepUp('pr-deny');
    const page = await k.newPage();
    await openJourney(page, url);
    await identifyAndVerify(page, 'customer+denied@email.de');
    await page.getByRole('button', { name: 'Buy' }).click();
    await page.getByRole('heading', { name: 'Sorry, we can’t approve this purchase' }).waitFor();
    expect(await requestOf(id)).toMatchObject({ state: 'DECLINED', previous_state: 'IN_PROGRESS', state_context: {} });
    await page.getByRole('button', { name: /^Back to / }).click();

    const back = await landedOnReturnUrl(page);
    expect(back).toEqual({ id, state: 'DECLINED', payment_token: '', nst: '', ref: 'pr-deny' });
    await page.close();
  });
});
