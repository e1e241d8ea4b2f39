/**
 * The pages are usable with the keyboard alone, every control has a name a screen reader can
 * announce, focus goes where the customer is and comes back when the journey closes, and nothing
 * scrolls sideways at phone (375 px) or desktop (1280 px) widths.
 */
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserKassa, type BrowserKassa } from './support/browser-kassa.js';
import { confirmedOrderId, journeyFrame, openJourney, startCheckout, statusText, widgetFrame } from './support/demo-checkout.js';

let k: BrowserKassa;
beforeAll(async () => {
  k = await startBrowserKassa();
});
afterAll(async () => k?.close());
afterEach(() => {
  expect(k.problems).toEqual([]);
});

const phone = { width: 375, height: 740 };
const desktop = { width: 1280, height: 860 };

async function frameOf(page: Page, selector: string): Promise<Frame> {
  const handle = await page.waitForSelector(selector);
  const frame = await handle.contentFrame();
  if (!frame) throw new Error(`no frame in ${selector}`);
  await frame.waitForLoadState();
  return frame;
}

/** Presses Tab until the focused element in `frame` matches `selector`. */
async function tabTo(page: Page, frame: Frame | Page, selector: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (await frame.evaluate((s) => document.hasFocus() && !!document.activeElement?.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Controls without an accessible name (label, aria-label, aria-labelledby, or text for buttons). */
function unnamedControls(frame: Frame | Page): Promise<string[]> {
  return frame.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, textarea, button, iframe'))
      .filter((el) => {
        const e = el as HTMLInputElement;
        if (e.type === 'hidden' || (e as HTMLElement).hidden) return false;
        if (e.labels && e.labels.length) return false;
        if (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.getAttribute('title')) return false;
        return !(e.tagName === 'BUTTON' && e.textContent?.trim());
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
}

function sidewaysScroll(frame: Frame | Page): Promise<number> {
  return frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('keyboard, labels and layout', () => {
  it('a purchase can be made with the keyboard alone', async () => {
    const page = await k.newPage(desktop);
    await startCheckout(k, page, 'customer@email.us');
    await tabTo(page, page, '#place-order');
    await page.keyboard.press('Enter');

    const j = await frameOf(page, journeyFrame);
    await j.getByLabel('Email or mobile phone number').waitFor();
    await tabTo(page, j, '#identity');
    await page.keyboard.press('Enter');
    await j.getByLabel('One-time code').waitFor();
    expect(await j.evaluate(() => document.activeElement?.id)).toBe('otp');
    await page.keyboard.type('123456');
    await page.keyboard.press('Enter');
    await j.getByRole('heading', { name: 'How would you like to pay?' }).waitFor();
    await tabTo(page, j, '#approve');
    await page.keyboard.press('Enter');
    expect(await confirmedOrderId(page)).toMatch(/^[0-9a-f-]{36}$/);
    await page.close();
  });

  it('Escape closes the journey and focus returns to "Place order"', async () => {
    const page = await k.newPage(desktop);
    await startCheckout(k, page, 'customer@email.us');
    await page.getByRole('button', { name: 'Place order' }).focus();
    await page.keyboard.press('Enter');
    const j = await frameOf(page, journeyFrame);
    await j.getByLabel('Email or mobile phone number').waitFor();
    await j.getByLabel('Email or mobile phone number').focus();
    await page.keyboard.press('Escape');
    await page.locator(journeyFrame).waitFor({ state: 'detached' });
    await expect.poll(() => statusText(page)).toMatch(/not completed/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('place-order');
    await page.close();
  });

  for (const [name, viewport] of [
    ['phone', phone],
    ['desktop', desktop],
  ] as const) {
    it(`every control is named and nothing scrolls sideways (${name})`, async () => {
      const page = await k.newPage(viewport);
      await startCheckout(k, page, 'customer@email.us');
      expect(await unnamedControls(page)).toEqual([]);
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      const widget = await frameOf(page, widgetFrame);
      expect(await unnamedControls(widget)).toEqual([]);
      expect(await sidewaysScroll(widget)).toBeLessThanOrEqual(0);

      await openJourney(page);
      const j = await frameOf(page, journeyFrame);
      const box = await page.locator(journeyFrame).boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
      for (const step of ['identify', 'code', 'plan'] as const) {
        expect([step, await unnamedControls(j)]).toEqual([step, []]);
        expect([step, await sidewaysScroll(j)]).toEqual([step, 0]);
        if (step === 'identify') await j.getByRole('button', { name: 'Continue' }).click();
        if (step === 'code') {
          await j.getByLabel('One-time code').fill('123456');
          await j.getByRole('button', { name: 'Verify' }).click();
          await j.getByRole('button', { name: 'Buy' }).waitFor();
        }
      }
      await j.getByRole('button', { name: 'Buy' }).click();
      await confirmedOrderId(page);
      expect(await unnamedControls(page)).toEqual([]);
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      await page.close();
    });
  }
});
