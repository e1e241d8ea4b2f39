/**
 * The demo shop's backend (/demo/api/*), in-process: pricing carts, creating the session and the
 * order through Kassa's own Payments v1 API as the `demo-shop` merchant, and relaying Klarna's errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoShopCredentials } from '../../src/web/demo/demo-merchant.js';
import { priceCart } from '../../src/web/demo/demo-shop.js';
import { startTestKassa, type Merchant, type TestKassa } from '../support/harness.js';

let t: TestKassa;
let shop: Merchant;
beforeAll(async () => {
  t = await startTestKassa();
  const c = await demoShopCredentials(t.kassa.deps);
  shop = { ...c, authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` };
});
afterAll(async () => t.close());

const demo = (method: string, url: string, body?: object) => t.request(method, url, { merchant: null, body });
const cart = [
  { sku: 'KO-MUG', quantity: 2 },
  { sku: 'KO-PACK', quantity: 1 },
];

describe('demo shop: pricing', () => {
  it('prices a cart as a valid US order: goods, shipping, and a sales_tax line', async () => {
    const res = await demo('POST', '/demo/api/quote', { cart });
    expect(res.statusCode, res.body).toBe(200);
    const order = res.json();
    expect(order).toMatchObject({ purchase_country: 'US', purchase_currency: 'USD', locale: 'en-US', order_amount: 13060, order_tax_amount: 1065 });
    expect(order.order_lines.map((l: { type: string; total_amount: number }) => [l.type, l.total_amount])).toEqual([
      ['physical', 3600],
      ['physical', 7900],
      ['shipping_fee', 495],
      ['sales_tax', 1065],
    ]);
  });

  it.each([
    [[{ sku: 'NOPE', quantity: 1 }], 'Bad value: cart[0].sku (not in the catalogue)'],
    [[{ sku: 'KO-MUG', quantity: 0 }], 'Bad value: cart (add at least one item)'],
    [[{ sku: 'KO-MUG', quantity: 1 }, { sku: 'KO-MUG', quantity: 2 }], 'Bad value: cart[1].sku (listed twice)'],
  ])('refuses a bad cart %j naming the field', async (bad, message) => {
    const res = await demo('POST', '/demo/api/quote', { cart: bad });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_messages).toEqual([message]);
  });

  it('the catalogue comes with a default cart that offers every US category', async () => {
    const res = (await demo('GET', '/demo/api/catalogue')).json();
    expect(res.cart.filter((i: { quantity: number }) => i.quantity > 0)).toEqual(cart);
    expect(priceCart(res.cart).order_amount).toBeGreaterThanOrEqual(3500);
  });
});

describe('demo shop: session and order through Payments v1', () => {
  it('creates the session as the demo-shop merchant, with its own reference', async () => {
    const res = await demo('POST', '/demo/api/sessions', { cart });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.client_token.split('.')).toHaveLength(3);
    expect(body.payment_method_categories.map((c: { identifier: string }) => c.identifier)).toEqual(['pay_later', 'pay_over_time']);
    expect(body.merchant_reference1).toMatch(/^KO-[A-Z0-9]+$/);
    const mine = await t.request('GET', `/payments/v1/sessions/${body.session_id}`, { merchant: shop });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ merchant_reference1: body.merchant_reference1, order_amount: 13060 });
    expect((await t.request('GET', `/payments/v1/sessions/${body.session_id}`)).statusCode).toBe(404);
  });

  it('places the order with the authorization token, and relays Klarna’s refusals as they are', async () => {
    const session = (await demo('POST', '/demo/api/sessions', { cart })).json();
    const auth = (await t.request('POST', `/sandbox/v1/sessions/${session.session_id}/authorize`, { merchant: shop, body: {} })).json();
    expect(auth.approved).toBe(true);

    const changed = await demo('POST', '/demo/api/orders', { cart: [{ sku: 'KO-MUG', quantity: 1 }], authorization_token: auth.authorization_token });
    expect(changed.statusCode).toBe(409);
    expect(changed.json()).toMatchObject({ error_code: 'BAD_VALUE', error_messages: ['Not matching fields: order_amount, order_tax_amount, order_lines'] });

    const res = await demo('POST', '/demo/api/orders', { cart, authorization_token: auth.authorization_token, merchant_reference1: session.merchant_reference1 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ fraud_status: 'ACCEPTED', authorized_payment_method: { type: 'invoice' } });
    const again = await demo('POST', '/demo/api/orders', { cart, authorization_token: 'no-such-token' });
    expect([again.statusCode, again.json().error_code]).toEqual([404, 'NOT_FOUND']);
  });

  it('keeps one demo-shop account with one password across calls', async () => {
    const a = await demoShopCredentials(t.kassa.deps);
    const b = await demoShopCredentials(t.kassa.deps);
    expect(b).toEqual(a);
    const accounts = await t.kassa.deps.engine.store.listAccounts();
    expect(accounts.filter((x) => x.username === 'demo-shop')).toHaveLength(1);
    expect(await t.kassa.deps.accounts.authenticate('demo-shop', a.password)).toMatchObject({ id: a.accountId });
  });
});
