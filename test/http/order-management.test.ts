/**
 * Order Management v1 over HTTP: every operation's success shape (status, headers, body) and every
 * business rule with its exact status and code (reference §2), idempotency, empty bodies, and
 * account isolation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestKassa, startTime, type TestKassa } from '../support/harness.js';
import { capture, expectError, getOrder, newOrder, omPath, refund } from '../support/om.js';

let t: TestKassa;
beforeEach(async () => {
  t = await startTestKassa();
});
afterEach(async () => t.close());

describe('get order', () => {
  it('shows the order object with consistent amounts and no internals', async () => {
    const id = await newOrder(t, { extra: { merchant_reference1: 'ref-1', shipping_address: { given_name: 'Testperson', email: 'a@b.se' } } });
    const res = await t.request('GET', omPath(id));
    expect(res.statusCode).toBe(200);
    expect(res.headers['klarna-correlation-id']).toBeTruthy();
    const order = res.json();
    expect(order).toMatchObject({
      order_id: id,
      status: 'AUTHORIZED',
      fraud_status: 'ACCEPTED',
      original_order_amount: 10000,
      order_amount: 10000,
      captured_amount: 0,
      refunded_amount: 0,
      remaining_authorized_amount: 10000,
      purchase_currency: 'SEK',
      purchase_country: 'SE',
      locale: 'sv-SE',
      created_at: new Date(startTime).toISOString(),
      expires_at: new Date(startTime + 28 * 24 * 3600_000).toISOString(),
      merchant_reference1: 'ref-1',
      shipping_address: { given_name: 'Testperson', email: 'a@b.se' },
      captures: [],
      refunds: [],
      shipping_info: [],
      initial_payment_method: { type: 'INVOICE' },
    });
    expect(order.klarna_reference).toMatch(/^[A-Z0-9]{1,8}$/);
    expect(order.order_lines).toHaveLength(1);
    expect(order.internal).toBeUndefined();
  });

  it('answers 404 NO_SUCH_ORDER for an unknown id and 401 without credentials', async () => {
    expectError(await t.request('GET', omPath('nope')), 404, 'NO_SUCH_ORDER');
    const id = await newOrder(t);
    expectError(await t.request('GET', omPath(id), { merchant: null }), 401, 'UNAUTHORIZED');
  });
});

describe('captures', () => {
  it('captures part of the order: 201, Location and Capture-Id, empty body; the capture is listed and readable', async () => {
    const id = await newOrder(t, { extra: { billing_address: { email: 'customer@email.se', given_name: 'A' } } });
    const res = await capture(t, id, 4000, {
      description: 'First parcel',
      reference: 'ship-1',
      order_lines: [{ name: 'Running shoe', quantity: 1, unit_price: 4000, total_amount: 4000 }],
      shipping_info: [{ shipping_company: 'PostNord', shipping_method: 'Home', tracking_number: 'TN1' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).toBe('');
    const captureId = res.headers['capture-id'] as string;
    expect(captureId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.location).toBe(`${t.config.publicUrl}${omPath(id, `/captures/${captureId}`)}`);

    const order = await getOrder(t, id);
    expect(order).toMatchObject({ status: 'PART_CAPTURED', captured_amount: 4000, remaining_authorized_amount: 6000, refunded_amount: 0 });

    const one = await t.request('GET', omPath(id, `/captures/${captureId}`));
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({
      capture_id: captureId,
      captured_amount: 4000,
      captured_at: new Date(startTime).toISOString(),
      description: 'First parcel',
      reference: 'ship-1',
      refunded_amount: 0,
      order_lines: [{ name: 'Running shoe', total_amount: 4000 }],
      shipping_info: [{ shipping_company: 'PostNord', shipping_method: 'Home', tracking_number: 'TN1' }],
      billing_address: { email: 'customer@email.se', given_name: 'A' },
    });
    expect(one.json().klarna_reference).toBeTruthy();

    const list = await t.request('GET', omPath(id, '/captures'));
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual([one.json()]);
  });

  it('refuses a capture above the remaining authorized amount with 403 CAPTURE_NOT_ALLOWED and writes nothing', async () => {
    const id = await newOrder(t);
    expect((await capture(t, id, 6000)).statusCode).toBe(201);
    const before = await getOrder(t, id);
    expectError(await capture(t, id, 4001), 403, 'CAPTURE_NOT_ALLOWED', /exceeds the remaining authorized amount \(4000\)/);
    expect(await getOrder(t, id)).toEqual(before);
  });

  it('refuses captures on cancelled orders and fully captured ones (403 CAPTURE_NOT_ALLOWED)', async () => {
    const cancelled = await newOrder(t);
    expect((await t.request('POST', omPath(cancelled, '/cancel'))).statusCode).toBe(204);
    expectError(await capture(t, cancelled, 100), 403, 'CAPTURE_NOT_ALLOWED', /cancelled/);

    const full = await newOrder(t);
    expect((await capture(t, full, 10000)).statusCode).toBe(201);
    expectError(await capture(t, full, 1), 403, 'CAPTURE_NOT_ALLOWED', /fully captured/);
  });

  it('answers 400 BAD_VALUE naming the field for a bad captured_amount, and changes nothing', async () => {
    const id = await newOrder(t);
    expectError(await t.request('POST', omPath(id, '/captures'), { body: {} }), 400, 'BAD_VALUE', /captured_amount/);
    expectError(await capture(t, id, 0), 400, 'BAD_VALUE', /captured_amount/);
    expectError(await capture(t, id, -5), 400, 'BAD_VALUE', /captured_amount/);
    expectError(await t.request('POST', omPath(id, '/captures'), { body: { captured_amount: '100' } }), 400, 'BAD_VALUE', /captured_amount/);
    expectError(await capture(t, id, 10.5), 400, 'BAD_VALUE', /captured_amount/);
    expectError(await capture(t, id, 100, { shipping_info: [{ shipping_method: 'Rocket' }] }), 400, 'BAD_VALUE', /shipping_info\[0\]\.shipping_method/);
    expect((await getOrder(t, id)).captured_amount).toBe(0);
  });

  it('honours Klarna-Idempotency-Key: a repeat returns the first response and captures once', async () => {
    const id = await newOrder(t);
    const headers = { 'klarna-idempotency-key': '5e4b3a1c-0000-4000-8000-000000000001' };
    const first = await capture(t, id, 1000, {}, headers);
    const second = await capture(t, id, 1000, {}, headers);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['capture-id']).toBe(first.headers['capture-id']);
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect((await getOrder(t, id)).captures).toHaveLength(1);
    // The same key on another operation is refused.
    expectError(await refund(t, id, 100, {}, headers), 409, 'CONFLICT');
  });

  it('answers 404 NO_SUCH_CAPTURE for an unknown capture on every capture route', async () => {
    const id = await newOrder(t);
    expectError(await t.request('GET', omPath(id, '/captures/nope')), 404, 'NO_SUCH_CAPTURE');
    expectError(await t.request('POST', omPath(id, '/captures/nope/shipping-info'), { body: { shipping_info: [] } }), 404, 'NO_SUCH_CAPTURE');
    expectError(await t.request('POST', omPath(id, '/captures/nope/trigger-send-out')), 404, 'NO_SUCH_CAPTURE');
    expectError(await t.request('GET', omPath(id, '/captures/nope/extend-due-date-options')), 404, 'NO_SUCH_CAPTURE');
    expectError(await t.request('PATCH', omPath(id, '/captures/nope/extend-due-date'), { body: { number_of_days: 7 } }), 404, 'NO_SUCH_CAPTURE');
  });

  it('adds shipping info to a capture and triggers a send-out (204)', async () => {
    const id = await newOrder(t);
    const captureId = (await capture(t, id, 5000)).headers['capture-id'] as string;
    const add = await t.request('POST', omPath(id, `/captures/${captureId}/shipping-info`), { body: { shipping_info: [{ shipping_company: 'DHL', tracking_number: 'X1' }] } });
    expect(add.statusCode, add.body).toBe(204);
    expect(add.body).toBe('');
    const sendOut = await t.request('POST', omPath(id, `/captures/${captureId}/trigger-send-out`));
    expect(sendOut.statusCode, sendOut.body).toBe(204);
    const c = (await t.request('GET', omPath(id, `/captures/${captureId}`))).json();
    expect(c.shipping_info).toEqual([{ shipping_company: 'DHL', tracking_number: 'X1' }]);
    const events = await t.kassa.deps.engine.store.listEvents(t.merchant.accountId, 'order', id);
    expect(events.map((e) => e.type)).toContain('capture.send-out-triggered');
  });

  it('offers due-date extensions for invoice captures and extends (204); others are refused', async () => {
    const id = await newOrder(t);
    const captureId = (await capture(t, id, 5000)).headers['capture-id'] as string;
    const options = await t.request('GET', omPath(id, `/captures/${captureId}/extend-due-date-options`));
    expect(options.statusCode).toBe(200);
    expect(options.json()).toEqual({ currency: 'SEK', options: [7, 14, 21, 28].map((d) => ({ number_of_days: d, amount: 0 })) });
    expect((await t.request('PATCH', omPath(id, `/captures/${captureId}/extend-due-date`), { body: { number_of_days: 14 } })).statusCode).toBe(204);
    expectError(await t.request('PATCH', omPath(id, `/captures/${captureId}/extend-due-date`), { body: { number_of_days: 5 } }), 400, 'BAD_VALUE', /number_of_days/);
    expectError(await t.request('PATCH', omPath(id, `/captures/${captureId}/extend-due-date`), { body: {} }), 400, 'BAD_VALUE', /number_of_days/);

    expect((await refund(t, id, 5000)).statusCode).toBe(201);
    expectError(await t.request('PATCH', omPath(id, `/captures/${captureId}/extend-due-date`), { body: { number_of_days: 7 } }), 403, 'NOT_ALLOWED', /fully refunded/);

    const payNow = await newOrder(t, { category: 'pay_now' });
    const payNowCapture = (await capture(t, payNow, 1000)).headers['capture-id'] as string;
    expect((await t.request('GET', omPath(payNow, `/captures/${payNowCapture}/extend-due-date-options`))).json().options).toEqual([]);
    expectError(await t.request('PATCH', omPath(payNow, `/captures/${payNowCapture}/extend-due-date`), { body: { number_of_days: 7 } }), 403, 'NOT_ALLOWED', /invoice/);
  });
});

describe('refunds', () => {
  it('refuses a refund when nothing was captured (403 REFUND_NOT_ALLOWED)', async () => {
    const id = await newOrder(t);
    expectError(await refund(t, id, 100), 403, 'REFUND_NOT_ALLOWED', /Order has no captures. Refund not possible/);
  });

  it('refuses a refund above what was captured and not yet refunded (403 REFUND_NOT_ALLOWED)', async () => {
    const id = await newOrder(t);
    await capture(t, id, 3000);
    expectError(await refund(t, id, 3001), 403, 'REFUND_NOT_ALLOWED', /\(3000\)/);
    expect((await refund(t, id, 1000)).statusCode).toBe(201);
    expectError(await refund(t, id, 2001), 403, 'REFUND_NOT_ALLOWED', /\(2000\)/);
  });

  it('refunds: 201, Location and Refund-Id; the refund is readable and spread over captures oldest first', async () => {
    const id = await newOrder(t);
    const c1 = (await capture(t, id, 3000)).headers['capture-id'];
    const c2 = (await capture(t, id, 2000)).headers['capture-id'];
    const res = await refund(t, id, 4000, { description: 'Returned', reference: 'ret-1', order_lines: [{ name: 'Running shoe', quantity: 1, unit_price: 4000, total_amount: 4000 }] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).toBe('');
    const refundId = res.headers['refund-id'] as string;
    expect(res.headers.location).toBe(`${t.config.publicUrl}${omPath(id, `/refunds/${refundId}`)}`);

    const got = await t.request('GET', omPath(id, `/refunds/${refundId}`));
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ refund_id: refundId, refunded_amount: 4000, refunded_at: new Date(startTime).toISOString(), description: 'Returned', reference: 'ret-1' });

    const order = await getOrder(t, id);
    expect(order).toMatchObject({ status: 'PART_CAPTURED', captured_amount: 5000, refunded_amount: 4000, remaining_authorized_amount: 5000 });
    expect(order.captures.map((c: { capture_id: string; refunded_amount: number }) => [c.capture_id, c.refunded_amount])).toEqual([
      [c1, 3000],
      [c2, 1000],
    ]);
  });

  it('answers 404 NOT_FOUND for an unknown refund and 404 NO_SUCH_ORDER for an unknown order', async () => {
    const id = await newOrder(t);
    expectError(await t.request('GET', omPath(id, '/refunds/nope')), 404, 'NOT_FOUND');
    expectError(await refund(t, 'nope', 100), 404, 'NO_SUCH_ORDER');
    expectError(await t.request('GET', omPath('nope', '/refunds/nope')), 404, 'NO_SUCH_ORDER');
  });
});

describe('cancel', () => {
  it('cancels an authorized order (204) and releases it; a second cancel is 403 CANCEL_NOT_ALLOWED', async () => {
    const id = await newOrder(t);
    const res = await t.request('POST', omPath(id, '/cancel'));
    expect(res.statusCode, res.body).toBe(204);
    expect(await getOrder(t, id)).toMatchObject({ status: 'CANCELLED', remaining_authorized_amount: 0, order_amount: 10000 });
    expectError(await t.request('POST', omPath(id, '/cancel')), 403, 'CANCEL_NOT_ALLOWED', /cancelled/);
  });

  it('refuses to cancel after a capture (403 CANCEL_NOT_ALLOWED "Order has previous captures")', async () => {
    const id = await newOrder(t);
    await capture(t, id, 100);
    expectError(await t.request('POST', omPath(id, '/cancel')), 403, 'CANCEL_NOT_ALLOWED', /Order has previous captures/);
  });

  it('accepts Klarna clients that send an empty JSON body or {}', async () => {
    const a = await newOrder(t);
    expect((await t.request('POST', omPath(a, '/cancel'), { headers: { 'content-type': 'application/json' } })).statusCode).toBe(204);
    const b = await newOrder(t);
    expect((await t.request('POST', omPath(b, '/cancel'), { body: {} })).statusCode).toBe(204);
    const c = await newOrder(t);
    expectError(await t.request('POST', omPath(c, '/cancel'), { body: '{"broken', headers: { 'content-type': 'application/json' } }), 400, 'BAD_REQUEST');
    expectError(await t.request('POST', omPath(c, '/cancel'), { body: '{"__proto__": {"x": 1}}', headers: { 'content-type': 'application/json' } }), 400, 'BAD_REQUEST');
  });
});

describe('update authorization', () => {
  it('lowers and raises the authorized amount and replaces the order lines (204)', async () => {
    const id = await newOrder(t);
    await capture(t, id, 2000);
    const lines = [{ type: 'physical', name: 'Running shoe', quantity: 1, unit_price: 8000, tax_rate: 2500, total_amount: 8000, total_tax_amount: 1600 }];
    const lower = await t.request('PATCH', omPath(id, '/authorization'), { body: { order_amount: 8000, description: 'Out of stock', order_lines: lines } });
    expect(lower.statusCode, lower.body).toBe(204);
    expect(await getOrder(t, id)).toMatchObject({ original_order_amount: 10000, order_amount: 8000, remaining_authorized_amount: 6000, status: 'PART_CAPTURED', order_lines: lines });
    expect((await t.request('PATCH', omPath(id, '/authorization'), { body: { order_amount: 15000 } })).statusCode).toBe(204);
    expect(await getOrder(t, id)).toMatchObject({ order_amount: 15000, remaining_authorized_amount: 13000, captured_amount: 2000 });
  });

  it('refuses an amount below what was captured (403 NOT_ALLOWED)', async () => {
    const id = await newOrder(t);
    await capture(t, id, 5000);
    expectError(await t.request('PATCH', omPath(id, '/authorization'), { body: { order_amount: 4999 } }), 403, 'NOT_ALLOWED', /lower than the captured amount/);
  });

  it('sends a raise back through the decision engine, which may decline it (403 NOT_ALLOWED)', async () => {
    // pay_later is offered up to 1 000 000 minor units (docs/payment-methods.md).
    const id = await newOrder(t);
    expectError(await t.request('PATCH', omPath(id, '/authorization'), { body: { order_amount: 1_000_001 } }), 403, 'NOT_ALLOWED', /declined/);
    expect((await getOrder(t, id)).order_amount).toBe(10000);
  });

  it('checks that order_lines add up (400 BAD_VALUE) and refuses updates when no authorization is open (403 NOT_ALLOWED)', async () => {
    const id = await newOrder(t);
    expectError(
      await t.request('PATCH', omPath(id, '/authorization'), { body: { order_amount: 5000, order_lines: [{ name: 'x', quantity: 1, unit_price: 4000, total_amount: 4000 }] } }),
      400,
      'BAD_VALUE',
      /order_amount/,
    );
    expectError(await t.request('PATCH', omPath(id, '/authorization'), { body: {} }), 400, 'BAD_VALUE', /order_amount/);
    expectError(
      await t.request('PATCH', omPath(id, '/authorization'), { body: { order_amount: 5000, order_lines: [{ name: 'x', quantity: 2, unit_price: 2000, total_amount: 5000 }] } }),
      400,
      'BAD_VALUE',
      /order_lines\[0\]\.total_amount/,
    );
    await capture(t, id, 10000);
    expectError(await t.request('PATCH', omPath(id, '/authorization'), { body: { order_amount: 12000 } }), 403, 'NOT_ALLOWED', /fully captured/);
    const cancelled = await newOrder(t);
    await t.request('POST', omPath(cancelled, '/cancel'));
    expectError(await t.request('PATCH', omPath(cancelled, '/authorization'), { body: { order_amount: 5000 } }), 403, 'NOT_ALLOWED', /cancelled/);
  });
});

describe('release remaining authorization', () => {
  it('releases what remains of a part-captured order (204): CAPTURED, nothing left to capture', async () => {
    const id = await newOrder(t);
    await capture(t, id, 3000);
    const res = await t.request('POST', omPath(id, '/release-remaining-authorization'));
    expect(res.statusCode, res.body).toBe(204);
    expect(await getOrder(t, id)).toMatchObject({ status: 'CAPTURED', remaining_authorized_amount: 0, captured_amount: 3000, order_amount: 10000 });
    expectError(await capture(t, id, 1), 403, 'CAPTURE_NOT_ALLOWED');
  });

  it('refuses without captures or on a cancelled order (403 NOT_ALLOWED)', async () => {
    const id = await newOrder(t);
    expectError(await t.request('POST', omPath(id, '/release-remaining-authorization')), 403, 'NOT_ALLOWED', /no captures/);
    await t.request('POST', omPath(id, '/cancel'));
    expectError(await t.request('POST', omPath(id, '/release-remaining-authorization')), 403, 'NOT_ALLOWED', /cancelled/);
  });
});

describe('acknowledge, merchant references, customer details, shipping info', () => {
  it('acknowledges (204, repeatable) but not a cancelled order (403 NOT_ALLOWED)', async () => {
    const id = await newOrder(t);
    expect((await t.request('POST', omPath(id, '/acknowledge'))).statusCode).toBe(204);
    expect((await t.request('POST', omPath(id, '/acknowledge'))).statusCode).toBe(204);
    const cancelled = await newOrder(t);
    await t.request('POST', omPath(cancelled, '/cancel'));
    expectError(await t.request('POST', omPath(cancelled, '/acknowledge')), 403, 'NOT_ALLOWED');
  });

  it('updates merchant references (204) but not on a cancelled order (403 NOT_ALLOWED); too long is 400', async () => {
    const id = await newOrder(t, { extra: { merchant_reference2: 'keep' } });
    expect((await t.request('PATCH', omPath(id, '/merchant-references'), { body: { merchant_reference1: 'new-1' } })).statusCode).toBe(204);
    expect(await getOrder(t, id)).toMatchObject({ merchant_reference1: 'new-1', merchant_reference2: 'keep' });
    expectError(await t.request('PATCH', omPath(id, '/merchant-references'), { body: { merchant_reference1: 'x'.repeat(256) } }), 400, 'BAD_VALUE', /merchant_reference1/);
    await t.request('POST', omPath(id, '/cancel'));
    expectError(await t.request('PATCH', omPath(id, '/merchant-references'), { body: { merchant_reference1: 'late' } }), 403, 'NOT_ALLOWED');
  });

  it('updates addresses (204); the billing address is refused after a capture (403 NOT_ALLOWED)', async () => {
    const id = await newOrder(t);
    const address = { given_name: 'Testperson', family_name: 'Approved', street_address: 'Sveavägen 46', postal_code: '11134', city: 'Stockholm', country: 'SE' };
    expect((await t.request('PATCH', omPath(id, '/customer-details'), { body: { shipping_address: address, billing_address: address } })).statusCode).toBe(204);
    expect(await getOrder(t, id)).toMatchObject({ shipping_address: address, billing_address: address });
    expectError(await t.request('PATCH', omPath(id, '/customer-details'), { body: { shipping_address: { country: 'Sweden' } } }), 400, 'BAD_VALUE', /shipping_address\.country/);
    await capture(t, id, 100);
    expect((await t.request('PATCH', omPath(id, '/customer-details'), { body: { shipping_address: { ...address, city: 'Uppsala' } } })).statusCode).toBe(204);
    expectError(await t.request('PATCH', omPath(id, '/customer-details'), { body: { billing_address: address } }), 403, 'NOT_ALLOWED', /billing address/);
  });

  it('adds order-level shipping info (204)', async () => {
    const id = await newOrder(t);
    expect((await t.request('POST', omPath(id, '/shipping-info'), { body: { shipping_info: [{ shipping_company: 'UPS', shipping_method: 'PickUpPoint' }] } })).statusCode).toBe(204);
    expect((await getOrder(t, id)).shipping_info).toEqual([{ shipping_company: 'UPS', shipping_method: 'PickUpPoint' }]);
    expectError(await t.request('POST', omPath(id, '/shipping-info'), { body: {} }), 400, 'BAD_VALUE', /shipping_info/);
  });
});

describe('account isolation', () => {
  it("answers 404 NO_SUCH_ORDER on all 18 operations for another account's order and changes nothing", async () => {
    const id = await newOrder(t);
    const captureId = (await capture(t, id, 1000)).headers['capture-id'] as string;
    const refundId = (await refund(t, id, 100)).headers['refund-id'] as string;
    const before = await getOrder(t, id);
    const other = await t.createMerchant();
    const calls: [string, string, object?][] = [
      ['GET', ''],
      ['POST', '/acknowledge'],
      ['POST', '/cancel'],
      ['PATCH', '/authorization', { order_amount: 5000 }],
      ['POST', '/extend-authorization-time'],
      ['POST', '/release-remaining-authorization'],
      ['PATCH', '/merchant-references', { merchant_reference1: 'x' }],
      ['PATCH', '/customer-details', { shipping_address: { city: 'x' } }],
      ['POST', '/shipping-info', { shipping_info: [] }],
      ['POST', '/captures', { captured_amount: 100 }],
      ['GET', '/captures'],
      ['GET', `/captures/${captureId}`],
      ['POST', `/captures/${captureId}/shipping-info`, { shipping_info: [] }],
      ['POST', `/captures/${captureId}/trigger-send-out`],
      ['GET', `/captures/${captureId}/extend-due-date-options`],
      ['PATCH', `/captures/${captureId}/extend-due-date`, { number_of_days: 7 }],
      ['POST', '/refunds', { refunded_amount: 100 }],
      ['GET', `/refunds/${refundId}`],
    ];
    expect(calls).toHaveLength(18);
    for (const [method, path, body] of calls) {
      expectError(await t.request(method, omPath(id, path), { body, merchant: other }), 404, 'NO_SUCH_ORDER');
    }
    expect(await getOrder(t, id)).toEqual(before);
  });
});
