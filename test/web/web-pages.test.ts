/**
 * The files Kassa serves to browsers: the SDK, the widget and journey pages, their assets, the demo
 * pages. Pages must work offline, so nothing they reference may live on another origin.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa;
beforeAll(async () => (t = await startTestKassa()));
afterAll(async () => t.close());

const get = (url: string) => t.request('GET', url, { merchant: null });
const staticRoot = fileURLToPath(new URL('../../src/web/static/', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('the browser side Kassa serves', () => {
  it('serves the SDK at Klarna’s path, as JavaScript, without credentials', async () => {
    const res = await get('/kp/lib/v1/api.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('global.Klarna.Payments = Payments');
  });

  it.each(['/kp/v1/widget', '/kp/v1/journey/session', '/demo/checkout', '/demo/confirmation'])('serves %s as HTML allowing only its own origin', async (url) => {
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('frame-ancestors *');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('answers 404 in Klarna’s error shape for a journey kind it does not know', async () => {
    const res = await get('/kp/v1/journey/unknown');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error_code: 'NOT_FOUND' });
  });

  it.each(['/kp/v1/static/..%2F..%2Fpackage.json', '/kp/v1/static/web-routes.ts', '/kp/v1/static/missing.js', '/demo/static/..%2Fkassa.css'])('serves nothing outside the static folder: %s', async (url) => {
    expect((await get(url)).statusCode).toBe(404);
  });

  it('serves the category images that sessions name in asset_urls', async () => {
    const session = await t.request('POST', '/payments/v1/sessions', {
      body: { purchase_country: 'DE', purchase_currency: 'EUR', locale: 'de-DE', order_amount: 5000, order_tax_amount: 798, order_lines: [{ name: 'Hat', quantity: 1, unit_price: 5000, tax_rate: 1900, total_amount: 5000, total_tax_amount: 798 }] },
    });
    const urls = session.json().payment_method_categories.flatMap((c: { asset_urls: { descriptive: string; standard: string } }) => [c.asset_urls.descriptive, c.asset_urls.standard]);
    expect(urls).toHaveLength(6);
    for (const url of urls) {
      const res = await get(new URL(url).pathname);
      expect([url, res.statusCode, res.headers['content-type']]).toEqual([url, 200, 'image/svg+xml']);
    }
    expect((await get('/assets/pay_with_gold/standard.svg')).statusCode).toBe(404);
  });

  it('the demo exists only in sandbox mode', async () => {
    const live = await startTestKassa({ env: { KASSA_MODE: 'live' } });
    try {
      for (const url of ['/demo/checkout', '/demo/api/catalogue']) expect((await live.request('GET', url, { merchant: null })).statusCode).toBe(404);
      expect((await live.request('GET', '/kp/lib/v1/api.js', { merchant: null })).statusCode).toBe(200);
    } finally {
      await live.close();
    }
  });

  it('no page, script or style references another origin (pages work offline)', () => {
    const offenders: string[] = [];
    for (const file of filesUnder(staticRoot)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)|@import\s+["']([^"']+)/g)) {
        const ref = m[1] ?? m[2] ?? m[3] ?? '';
        if (/^(?:[a-z]+:)?\/\//i.test(ref) && !ref.startsWith('http://www.w3.org/2000/svg')) offenders.push(`${file}: ${ref}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
