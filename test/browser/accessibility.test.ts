/**
 * The pages are usable with the keyboard alone, every control has a name a screen reader can
 * announce, focus goes where the customer is and comes back when the journey closes, and nothing
 * scrolls sideways at phone (375 px) or desktop (1280 px) widths.
 */
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserKassa, type BrowserKassa } from './support/browser-kassa.js';
import { confirmedOrderId, journeyFrame, openJourney, startCheckout, statusText, widgetFrame } from './support/demo-checkout.js';
import { orderViaApi } from './support/dashboard.js';
import { demoShopCredentials } from '../../src/web/demo/demo-merchant.js';

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

/**
 * Text whose contrast with the background behind it is under WCAG AA (4.5:1, or 3:1 for large
 * text): computed colours, the first opaque background up the tree.
 */
function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3]! > 0.9)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement!;
      if (!n.textContent!.trim() || el.closest('svg, .visually-hidden, [hidden], .skip')) continue;
      const style = getComputedStyle(el);
      const fg = lum(rgb(style.color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push(`${ratio.toFixed(2)}: ${n.textContent!.trim().slice(0, 40)}`);
    }
    return [...new Set(out)];
  });
}

describe('dashboard: keyboard, labels, contrast and layout', () => {
  async function signInByKeyboard(page: Page): Promise<void> {
    const credentials = await demoShopCredentials(k.t.kassa.deps);
    await k.context.clearCookies();
    await page.goto(`${k.url}/dashboard/sign-in`);
    await tabTo(page, page, '#username');
    await page.keyboard.type(credentials.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(credentials.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  }

  it('signs in and acts with the keyboard alone; the first Tab offers "Skip to content"', async () => {
    const orderId = await orderViaApi(k);
    const page = await k.newPage(desktop);
    await signInByKeyboard(page);
    await page.goto(`${k.url}/dashboard/orders/${orderId}`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await tabTo(page, page, '#capture-amount');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2500');
    await page.keyboard.press('Enter');
    await page.locator('.notice-ok', { hasText: 'Captured.' }).waitFor();
    expect((await k.api('GET', `/ordermanagement/v1/orders/${orderId}`)).body.captured_amount).toBe(2500);
    await page.close();
  });

  for (const [name, viewport] of [
    ['phone', phone],
    ['desktop', desktop],
  ] as const) {
    it(`every control is named, text has AA contrast, and nothing scrolls sideways (${name})`, async () => {
      const orderId = await orderViaApi(k);
      await k.api('POST', `/ordermanagement/v1/orders/${orderId}/captures`, { captured_amount: 3000 });
      const page = await k.newPage(viewport);
      await page.goto(`${k.url}/dashboard/sign-in`);
      expect(await unnamedControls(page)).toEqual([]);
      expect(await lowContrast(page)).toEqual([]);
      await signInByKeyboard(page);
      await page.goto(`${k.url}/dashboard/requests`);
      const oneRequest = await page.locator('table.requests-log a').first().getAttribute('href');
      expect(oneRequest).toMatch(/^\/dashboard\/requests\//);
      for (const path of ['/dashboard', '/dashboard/orders', `/dashboard/orders/${orderId}`, '/dashboard/sessions', '/dashboard/webhooks', '/dashboard/clock', '/dashboard/requests', oneRequest!]) {
        await page.goto(k.url + path);
        expect([path, await unnamedControls(page)]).toEqual([path, []]);
        expect([path, await lowContrast(page)]).toEqual([path, []]);
        expect([path, await sidewaysScroll(page)]).toEqual([path, 0]);
      }
      await page.close();
    });
  }
});
