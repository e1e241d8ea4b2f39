/**
 * Browser-test steps for the dashboard: signing in as the demo shop (the account the browser
 * harness's `api()` calls with) and making orders over the API the way a test of an integration
 * would.
 */
import type { Page } from 'playwright-core';
import { demoShopCredentials } from '../../../src/web/demo/demo-merchant.js';
import type { BrowserKassa } from './browser-kassa.js';

export const apiOrder = (amount = 10000) => ({
  purchase_country: 'SE',
  purchase_currency: 'SEK',
  locale: 'sv-SE',
  order_amount: amount,
  order_tax_amount: amount / 5,
  merchant_reference1: 'ORD-1001',
  order_lines: [{ name: 'Running shoe', quantity: 1, unit_price: amount, tax_rate: 2500, total_amount: amount, total_tax_amount: amount / 5 }],
});

/** Session -> sandbox authorize -> order, over the API as the demo shop; returns the order id. */
export async function orderViaApi(k: BrowserKassa, email = 'customer@email.us'): Promise<string> {
  const session = await k.api('POST', '/payments/v1/sessions', apiOrder());
  const auth = await k.api('POST', `/sandbox/v1/sessions/${session.body.session_id}/authorize`, { billing_address: { email } });
  const order = await k.api('POST', `/payments/v1/authorizations/${auth.body.authorization_token}/order`, apiOrder());
  if (order.status !== 200) throw new Error(`order: ${JSON.stringify(order.body)}`);
  return order.body.order_id as string;
}

export async function signInToDashboard(k: BrowserKassa, page: Page): Promise<void> {
  const credentials = await demoShopCredentials(k.t.kassa.deps);
  // The browser profile is shared by the file's tests: start each signed out.
  await k.context.clearCookies();
  await page.goto(`${k.url}/dashboard`);
  await page.getByLabel('Username').fill(credentials.username);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Home' }).waitFor();
}
