/**
 * The JS SDK embedded the way a merchant embeds Klarna's: a page on another origin (the merchant's
 * own little server on another port) loads <script src="KASSA/kp/lib/v1/api.js">.
 * Misuse errors in a real browser, a token Kassa did not sign, a completed session, the widget's
 * category choice, finalize() after authorize({auto_finalize: false}), and reauthorize().
 */
import { SignJWT } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { germanOrderWithDiscount } from '../fixtures/orders.js';
import { startBrowserKassa, startMerchantSite, type BrowserKassa } from './support/browser-kassa.js';
import { identifyAndVerify, journey, journeyFrame, widgetFrame } from './support/demo-checkout.js';

let k: BrowserKassa;
let merchant: { origin: string; close(): Promise<void> };

beforeAll(async () => {
  k = await startBrowserKassa();
  merchant = await startMerchantSite(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Merchant</title>
    <script src="${k.url}/kp/lib/v1/api.js"></script></head>
    <body><h1>Checkout</h1><div id="klarna-payments-container"></div><button id="buy">Buy</button>
    <script>window.results = []; window.record = function (res) { window.results.push(res); };</script></body></html>`);
  k.allowOrigin(merchant.origin);
});
afterAll(async () => {
  await k?.close();
  await merchant?.close();
});
afterEach(() => {
  expect(k.problems).toEqual([]);
});

async function merchantPage(): Promise<Page> {
  const page = await k.newPage();
  await page.goto(`${merchant.origin}/checkout`);
  expect(merchant.origin).not.toBe(k.url);
  return page;
}

async function newSession(body: object = germanOrderWithDiscount()): Promise<{ session_id: string; client_token: string }> {
  const res = await k.api('POST', '/payments/v1/sessions', body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function results(page: Page, count: number): Promise<any[]> {
  await expect.poll(() => page.evaluate(() => (window as any).results.length)).toBe(count);
  return page.evaluate(() => (window as any).results);
}

describe('the SDK in a merchant page on another origin', () => {
  it('throws Klarna’s errors for misuse: no init, bad token, unknown container, unknown category', async () => {
    const page = await merchantPage();
    const { client_token } = await newSession();
    const names = await page.evaluate((token) => {
      const P = (window as any).Klarna.Payments;
      const out: string[] = [];
      const attempt = (fn: () => void) => {
        try {
          fn();
          out.push('no error');
        } catch (e) {
          out.push((e as Error).name);
        }
      };
      attempt(() => P.load({ container: '#klarna-payments-container' }, {}, () => {}));
      attempt(() => P.authorize({}, {}, () => {}));
      attempt(() => P.init({ client_token: 'not-a-jwt' }));
      attempt(() => P.init({ client_token: token }));
      attempt(() => P.load({ container: '#nowhere' }, {}, () => {}));
      attempt(() => P.load({ container: '#klarna-payments-container', payment_method_category: 'pay_in_gold' }, {}, () => {}));
      return out;
    }, client_token);
    expect(names).toEqual([
      'ApplicationNotInitializedError',
      'ApplicationNotInitializedError',
      'InvalidClientTokenError',
      'no error',
      'InvalidContainerSelectorError',
      'PaymentMethodCategoryNotSupportedError',
    ]);
    expect(await page.locator('iframe').count()).toBe(0);
    await page.close();
  });

  it('a well-formed token Kassa did not sign: load and authorize call back with client_token invalid', async () => {
    const page = await merchantPage();
    const forged = await new SignJWT({ session_id: 'made-up', account_id: 'made-up' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
    await page.evaluate((token) => {
      const P = (window as any).Klarna.Payments;
      P.init({ client_token: token });
      P.load({ container: document.getElementById('klarna-payments-container') }, (window as any).record);
    }, forged);
    expect(await results(page, 1)).toEqual([{ show_form: false, error: { invalid_fields: ['client_token'] } }]);
    await page.evaluate(() => (window as any).Klarna.Payments.authorize({}, {}, (window as any).record));
    expect((await results(page, 2))[1]).toEqual({ approved: false, show_form: false, error: { invalid_fields: ['client_token'] } });
    expect(await page.locator(journeyFrame).count()).toBe(0);
    await page.close();
  });

  it('load() without a category lets the customer choose; authorize() then uses the chosen one', async () => {
    const page = await merchantPage();
    const { client_token, session_id } = await newSession();
    await page.evaluate((token) => {
      const P = (window as any).Klarna.Payments;
      P.init({ client_token: token });
      P.load({ container: '#klarna-payments-container' }, {}, (window as any).record);
    }, client_token);
    expect(await results(page, 1)).toEqual([{ show_form: true }]);
    const widget = page.frameLocator(widgetFrame);
    expect(await widget.getByRole('radio').count()).toBe(3);
    // The widget tells the SDK about the choice by postMessage (another origin): authorize only once
    // that message has reached the page, as a customer's later click on "Buy" would.
    await page.evaluate(() => {
      (window as any).selectionArrived = new Promise<void>((resolve) => window.addEventListener('message', (e) => JSON.stringify(e.data ?? '').includes('"select"') && resolve()));
    });
    await widget.getByRole('radio', { name: /Pay over time/ }).check();
    await page.evaluate(() => (window as any).selectionArrived);
    await page.evaluate(() => (window as any).Klarna.Payments.authorize({}, { billing_address: { email: 'customer@email.de' } }, (window as any).record));
    const j = journey(page);
    await identifyAndVerify(j);
    // count() does not wait: let the purchase step render after Verify first.
    await j.getByRole('button', { name: 'Buy' }).waitFor();
    expect(await j.getByText('Pay over time', { exact: true }).count()).toBe(1);
    await j.getByRole('button', { name: 'Buy' }).click();
    const [, approved] = await results(page, 2);
    expect(approved).toMatchObject({ approved: true, show_form: true });
    const order = await k.api('POST', `/payments/v1/authorizations/${approved.authorization_token}/order`, germanOrderWithDiscount());
    expect(order.body.authorized_payment_method.type).toBe('fixed_sum_credit');
    expect((await k.api('GET', `/payments/v1/sessions/${session_id}`)).body.status).toBe('complete');
    await page.close();
  });

  it('authorize({ auto_finalize: false }) on Pay now asks for finalize(); finalize() authorizes without identifying again', async () => {
    const page = await merchantPage();
    const { client_token, session_id } = await newSession();
    await page.evaluate((token) => {
      const P = (window as any).Klarna.Payments;
      P.init({ client_token: token });
      P.authorize({ payment_method_category: 'pay_now', auto_finalize: false }, { billing_address: { email: 'customer@email.de' } }, (window as any).record);
    }, client_token);
    const j = journey(page);
    await identifyAndVerify(j);
    await j.getByRole('button', { name: 'Continue' }).click();
    expect(await results(page, 1)).toEqual([{ approved: false, show_form: true, finalize_required: true }]);
    expect((await k.api('GET', `/payments/v1/sessions/${session_id}`)).body.authorization_token).toBeUndefined();

    await page.evaluate(() => (window as any).Klarna.Payments.finalize({ payment_method_category: 'pay_now' }, {}, (window as any).record));
    await j.getByRole('heading', { name: 'Confirm your purchase' }).waitFor();
    expect(await j.getByLabel('One-time code').count()).toBe(0);
    await j.getByRole('button', { name: 'Buy' }).click();
    const [, finalized] = await results(page, 2);
    expect(finalized).toMatchObject({ approved: true, show_form: true });
    expect((await k.api('GET', `/payments/v1/sessions/${session_id}`)).body.authorization_token).toBe(finalized.authorization_token);
    const order = await k.api('POST', `/payments/v1/authorizations/${finalized.authorization_token}/order`, germanOrderWithDiscount());
    expect(order.body.authorized_payment_method).toEqual({ type: 'direct_debit' });
    await page.close();
  });

  it('reauthorize() replaces the authorization token; the old one stops working', async () => {
    const page = await merchantPage();
    const { client_token } = await newSession();
    const approveIn = async (method: 'authorize' | 'reauthorize', index: number) => {
      await page.evaluate((m) => (window as any).Klarna.Payments[m]({ payment_method_category: 'pay_later' }, { billing_address: { email: 'customer@email.de' } }, (window as any).record), method);
      const j = journey(page);
      await identifyAndVerify(j);
      await j.getByRole('button', { name: 'Buy' }).click();
      return (await results(page, index + 1))[index];
    };
    await page.evaluate((token) => (window as any).Klarna.Payments.init({ client_token: token }), client_token);
    const first = await approveIn('authorize', 0);
    const second = await approveIn('reauthorize', 1);
    expect(second.authorization_token).not.toBe(first.authorization_token);
    expect((await k.api('POST', `/payments/v1/authorizations/${first.authorization_token}/order`, germanOrderWithDiscount())).status).toBe(404);
    expect((await k.api('POST', `/payments/v1/authorizations/${second.authorization_token}/order`, germanOrderWithDiscount())).status).toBe(200);

    // The session is complete now: the journey answers at once that the token is no good.
    await page.evaluate(() => (window as any).Klarna.Payments.authorize({}, {}, (window as any).record));
    expect((await results(page, 3))[2]).toEqual({ approved: false, show_form: false, error: { invalid_fields: ['client_token'] } });
    await page.close();
  });
});
