/**
 * The demo checkout (/demo/checkout) as a customer goes through it, for the browser tests.
 * Locators go by role and label, the way a screen-reader user finds things.
 */
import type { FrameLocator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { BrowserKassa } from './browser-kassa.js';

export interface DemoSession {
  session_id: string;
  client_token: string;
  merchant_reference1: string;
  payment_method_categories: { identifier: string }[];
}

export const journeyFrame = 'iframe[title="Klarna purchase journey"]';
export const widgetFrame = 'iframe[title="Klarna payment options"]';

export function journey(page: Page): FrameLocator {
  return page.frameLocator(journeyFrame);
}

/** Opens the checkout with `email` in the details and presses "Pay with Klarna". */
export async function startCheckout(k: BrowserKassa, page: Page, email: string): Promise<DemoSession> {
  await page.goto(`${k.url}/demo/checkout`);
  await expect.poll(() => page.locator('#order-total').textContent()).toMatch(/^\$/);
  await page.getByLabel('Email').fill(email);
  const created = page.waitForResponse((r) => r.url().endsWith('/demo/api/sessions'));
  await page.getByRole('button', { name: 'Pay with Klarna' }).click();
  const response = await created;
  expect(response.status()).toBe(200);
  const session = (await response.json()) as DemoSession;
  await expect.poll(() => page.getByRole('button', { name: 'Place order' }).isEnabled()).toBe(true);
  return session;
}

/** Picks a Klarna category in the shop's payment list and waits for its widget. */
export async function chooseCategory(page: Page, name: string): Promise<void> {
  await page.getByRole('radio', { name }).check();
  await expect.poll(() => page.frameLocator(widgetFrame).locator('[data-category]').first().getAttribute('data-category')).toBe(name.toLowerCase().replace(/ /g, '_'));
  await expect.poll(() => page.getByRole('button', { name: 'Place order' }).isEnabled()).toBe(true);
}

/** "Place order" -> the purchase journey opens on the identify step. */
export async function openJourney(page: Page): Promise<FrameLocator> {
  await page.getByRole('button', { name: 'Place order' }).click();
  const j = journey(page);
  await j.getByLabel('Email or mobile phone number').waitFor();
  return j;
}

/** Identify (the email is prefilled from the shop's billing address) and enter the code. */
export async function identifyAndVerify(j: FrameLocator, code = '123456'): Promise<void> {
  await j.getByRole('button', { name: 'Continue' }).click();
  await j.getByLabel('One-time code').fill(code);
  await j.getByRole('button', { name: 'Verify' }).click();
}

export async function closeJourney(page: Page): Promise<void> {
  await journey(page).getByRole('button', { name: 'Close and return to the store' }).click();
  await page.locator(journeyFrame).waitFor({ state: 'detached' });
}

export async function statusText(page: Page): Promise<string> {
  return (await page.getByRole('status').first().textContent()) ?? '';
}

/** Waits for the confirmation page and returns the order id it shows. */
export async function confirmedOrderId(page: Page): Promise<string> {
  await page.waitForURL(/\/demo\/confirmation\?order_id=/);
  await page.locator('#order-id').waitFor();
  return (await page.locator('#order-id').textContent()) ?? '';
}

/**
 * Records the JSON bodies the page receives from `path` (the page may navigate away before the
 * browser could be asked for them).
 */
export async function recordResponses(page: Page, path: string): Promise<any[]> {
  const bodies: any[] = [];
  await page.route(`**${path}`, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    bodies.push(body);
    await route.fulfill({ response, json: body });
  });
  return bodies;
}
