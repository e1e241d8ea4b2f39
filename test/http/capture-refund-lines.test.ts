/**
 * Order lines on captures and refunds describe their amount (issue 17), as an order's lines
 * describe its order_amount: Σ total_amount must equal captured_amount / refunded_amount and each
 * line must add up, else 400 BAD_VALUE naming the field, and nothing changes. Without lines (or
 * with an empty list) nothing is checked. The merchant role refuses the same before calling out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { merchantRuntimeFor } from '../../src/app/merchant/merchant-runtime.js';
import { inProcessHttp } from '../reliability/support/in-process-http.js';
import { placeMerchantOrder } from '../support/flows.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { capture, expectError, getOrder, newOrder, refund } from '../support/om.js';

let t: TestKassa;
beforeEach(async () => {
  t = await startTestKassa();
});
afterEach(async () => t.close());

/** A Swedish line of `amount` at 25 % VAT. */
const line = (amount: number, quantity = 1) => {
  const total = amount * quantity;
  return { type: 'physical', name: 'Shoe', quantity, unit_price: amount, tax_rate: 2500, total_amount: total, total_tax_amount: total - Math.round((total * 10000) / 12500) };
};

describe('captures', () => {
  it('refuses lines totalling 9000 on a capture of 100, and captures nothing', async () => {
    const id = await newOrder(t);
    expectError(await capture(t, id, 100, { order_lines: [line(9000)] }), 400, 'BAD_VALUE', /captured_amount \(must equal the sum of order_lines\[\]\.total_amount \(9000\)\)/);
    expect((await getOrder(t, id)).captured_amount).toBe(0);
  });

  it('accepts lines that add up to the amount, no lines, or an empty list', async () => {
    const id = await newOrder(t);
    expect((await capture(t, id, 3000, { order_lines: [line(1000, 2), line(1000)] })).statusCode).toBe(201);
    expect((await capture(t, id, 1000)).statusCode).toBe(201);
    expect((await capture(t, id, 1000, { order_lines: [] })).statusCode).toBe(201);
    expect((await getOrder(t, id)).captured_amount).toBe(5000);
  });

  it('refuses a line that does not add up, naming it', async () => {
    const id = await newOrder(t);
    expectError(await capture(t, id, 1000, { order_lines: [{ ...line(1000), quantity: 2 }] }), 400, 'BAD_VALUE', /order_lines\[0\]\.total_amount/);
    expectError(await capture(t, id, 1000, { order_lines: [{ ...line(1000), total_tax_amount: 0 }] }), 400, 'BAD_VALUE', /order_lines\[0\]\.total_tax_amount/);
  });

  it('checks the lines before the business rules: a mismatch on a cancelled order is still 400', async () => {
    const id = await newOrder(t);
    expect((await t.request('POST', `/ordermanagement/v1/orders/${id}/cancel`)).statusCode).toBe(204);
    expectError(await capture(t, id, 100, { order_lines: [line(9000)] }), 400, 'BAD_VALUE', /captured_amount/);
    expectError(await capture(t, id, 100, { order_lines: [line(100)] }), 403, 'CAPTURE_NOT_ALLOWED');
  });
});

describe('refunds', () => {
  it('refuses lines that do not total the refunded amount, and refunds nothing', async () => {
    const id = await newOrder(t);
    expect((await capture(t, id, 10000)).statusCode).toBe(201);
    expectError(await refund(t, id, 500, { order_lines: [line(2000)] }), 400, 'BAD_VALUE', /refunded_amount \(must equal the sum of order_lines\[\]\.total_amount \(2000\)\)/);
    expect((await getOrder(t, id)).refunded_amount).toBe(0);
    expect((await refund(t, id, 2000, { order_lines: [line(2000)] })).statusCode).toBe(201);
    expect((await getOrder(t, id)).refunded_amount).toBe(2000);
  });
});

describe('merchant role', () => {
  it('refuses a capture or refund whose lines do not total its amount before calling the provider', async () => {
    merchantRuntimeFor(t.kassa.deps).http = inProcessHttp(t.kassa);
    const order = await placeMerchantOrder(t);
    const id = order.order_id;
    const captured = await t.request('POST', `/merchant/v1/orders/${id}/captures`, { body: { captured_amount: 100, order_lines: [line(9000)] } });
    expectError(captured, 400, 'BAD_VALUE', /captured_amount/);
    const ok = await t.request('POST', `/merchant/v1/orders/${id}/captures`, { body: { captured_amount: 4000, order_lines: [line(2000, 2)] } });
    expect(ok.statusCode, ok.body).toBe(200);
    const refunded = await t.request('POST', `/merchant/v1/orders/${id}/refunds`, { body: { refunded_amount: 100, order_lines: [line(4000)] } });
    expectError(refunded, 400, 'BAD_VALUE', /refunded_amount/);
  });
});
