/**
 * Time on the account's test clock (POST /sandbox/v1/clock/advance): authorization expiry after
 * 28 days, extension (day of extension + 28 days, capped at 180 days after creation), pending
 * fraud review with its merchant notification (at least once, retried), and auto-capture.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestKassa, startTime, type TestKassa } from '../support/harness.js';
import { capture, dayS, drainOutbox, expectError, getOrder, newOrder, omPath, refund } from '../support/om.js';

let t: TestKassa;
beforeEach(async () => {
  t = await startTestKassa();
});
afterEach(async () => t.close());

const dayMs = dayS * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const extend = (id: string) => t.request('POST', omPath(id, '/extend-authorization-time'));

async function advance(seconds: number): Promise<void> {
  const res = await t.advance(seconds);
  expect(res.statusCode, res.body).toBe(200);
}

describe('authorization expiry', () => {
  it('expires an untouched order 28 days after creation; then capture and extension are refused', async () => {
    const id = await newOrder(t);
    await advance(28 * dayS - 1);
    expect((await getOrder(t, id)).status).toBe('AUTHORIZED');
    await advance(1);
    expect(await getOrder(t, id)).toMatchObject({ status: 'EXPIRED', remaining_authorized_amount: 0, captured_amount: 0 });
    expectError(await capture(t, id, 100), 403, 'CAPTURE_NOT_ALLOWED', /expired/);
    expectError(await extend(id), 403, 'NOT_ALLOWED', 'Order is expired. Authorization time cannot be extended.');
    expectError(await t.request('POST', omPath(id, '/cancel')), 403, 'CANCEL_NOT_ALLOWED', /expired/);
  });

  it('lets the remainder of a part-captured order lapse: CAPTURED, and what was captured can still be refunded', async () => {
    const id = await newOrder(t);
    await capture(t, id, 2500);
    await advance(28 * dayS);
    expect(await getOrder(t, id)).toMatchObject({ status: 'CAPTURED', captured_amount: 2500, remaining_authorized_amount: 0 });
    expect((await refund(t, id, 2500)).statusCode).toBe(201);
    expect((await getOrder(t, id)).status).toBe('CLOSED');
  });

  it('does not expire a fully captured order, and a cancelled order keeps no expiry timer', async () => {
    const captured = await newOrder(t);
    await capture(t, captured, 10000);
    const cancelled = await newOrder(t);
    await t.request('POST', omPath(cancelled, '/cancel'));
    expect(await t.kassa.deps.engine.store.getTimer(`order:${captured}:expire`)).toBeUndefined();
    expect(await t.kassa.deps.engine.store.getTimer(`order:${cancelled}:expire`)).toBeUndefined();
    await advance(30 * dayS);
    expect((await getOrder(t, captured)).status).toBe('CAPTURED');
    expect((await getOrder(t, cancelled)).status).toBe('CANCELLED');
  });
});

describe('extend authorization time', () => {
  it('sets the deadline to the end of the day of extension + 28 days; same-day repeats give the same date', async () => {
    const id = await newOrder(t);
    await advance(10 * dayS);
    const res = await extend(id);
    expect(res.statusCode, res.body).toBe(204);
    expect(res.body).toBe('');
    // Created 2026-01-15T10:00Z; extended on 2026-01-25 -> 2026-02-22, end of day (UTC).
    const expected = '2026-02-22T23:59:59.999Z';
    expect((await getOrder(t, id)).expires_at).toBe(expected);
    await advance(3600);
    expect((await extend(id)).statusCode).toBe(204);
    expect((await getOrder(t, id)).expires_at).toBe(expected);

    // The old deadline (28 days after creation) passes without expiring the order ...
    await advance(18 * dayS);
    expect((await getOrder(t, id)).status).toBe('AUTHORIZED');
    // ... the new one does.
    const now = Date.parse((await t.request('GET', '/sandbox/v1/clock')).json().now);
    await advance(Math.ceil((Date.parse(expected) - now) / 1000));
    expect((await getOrder(t, id)).status).toBe('EXPIRED');
  });

  it('never goes beyond 180 days after creation; once there, extending is 403 NOT_ALLOWED', async () => {
    const id = await newOrder(t);
    for (let day = 27; day <= 162; day += 27) {
      await advance(27 * dayS);
      expect((await extend(id)).statusCode, `day ${day}`).toBe(204);
    }
    const cap = iso(startTime + 180 * dayMs);
    expect((await getOrder(t, id)).expires_at).toBe(cap);
    await advance(13 * dayS); // day 175
    expectError(await extend(id), 403, 'NOT_ALLOWED', /180 days/);
    expect((await getOrder(t, id)).expires_at).toBe(cap);
    await advance(5 * dayS - 1);
    expect((await getOrder(t, id)).status).toBe('AUTHORIZED');
    await advance(1);
    expect((await getOrder(t, id)).status).toBe('EXPIRED');
  });

  it('refuses to extend a cancelled or fully captured order (403 NOT_ALLOWED)', async () => {
    const cancelled = await newOrder(t);
    await t.request('POST', omPath(cancelled, '/cancel'));
    expectError(await extend(cancelled), 403, 'NOT_ALLOWED', /cancelled/);
    const captured = await newOrder(t);
    await capture(t, captured, 10000);
    expectError(await extend(captured), 403, 'NOT_ALLOWED', /fully captured/);
  });
});

describe('pending fraud review', () => {
  const notificationUrl = 'https://merchant.example/klarna/notify?order={order.id}';

  it('stays PENDING for NN minutes, blocks captures, then ACCEPTED and notifies FRAUD_RISK_ACCEPTED', async () => {
    const id = await newOrder(t, { email: 'customer+pend-accept-05@email.us', extra: { merchant_urls: { notification: notificationUrl } } });
    expect(await getOrder(t, id)).toMatchObject({ status: 'AUTHORIZED', fraud_status: 'PENDING' });
    expectError(await capture(t, id, 100), 403, 'CAPTURE_NOT_ALLOWED', /fraud review/);
    await advance(4 * 60 + 59);
    await drainOutbox(t);
    expect((await getOrder(t, id)).fraud_status).toBe('PENDING');
    expect(t.transport.deliveries).toHaveLength(0);

    await advance(1);
    await drainOutbox(t);
    expect(await getOrder(t, id)).toMatchObject({ status: 'AUTHORIZED', fraud_status: 'ACCEPTED' });
    expect(t.transport.deliveries).toHaveLength(1);
    const delivery = t.transport.deliveries[0]!;
    expect(delivery.url).toBe(`https://merchant.example/klarna/notify?order=${id}`);
    const body = JSON.parse(delivery.body);
    expect(body).toEqual({ order_id: id, event_type: 'FRAUD_RISK_ACCEPTED', event_id: expect.any(String), timestamp: iso(startTime + 5 * 60_000) });
    expect((await capture(t, id, 100)).statusCode).toBe(201);
  });

  it('REJECTED cancels the order and notifies FRAUD_RISK_REJECTED, retried until delivered (same event_id)', async () => {
    const id = await newOrder(t, { email: 'customer+pend-reject-02@email.us', extra: { merchant_urls: { notification: notificationUrl } } });
    let calls = 0;
    t.transport.respond = () => (++calls === 1 ? 503 : 200);
    await advance(2 * 60);
    await drainOutbox(t);
    expect(await getOrder(t, id)).toMatchObject({ status: 'CANCELLED', fraud_status: 'REJECTED', remaining_authorized_amount: 0 });
    expect(t.transport.deliveries).toHaveLength(1);
    // The first retry is due 15–30 s later on the account clock (retry-policy.ts).
    await advance(30);
    await drainOutbox(t);
    expect(t.transport.deliveries).toHaveLength(2);
    const [first, second] = t.transport.deliveries.map((d) => JSON.parse(d.body));
    expect(first.event_type).toBe('FRAUD_RISK_REJECTED');
    expect(second).toEqual(first);
    await advance(3600);
    await drainOutbox(t);
    expect(t.transport.deliveries).toHaveLength(2);
    expectError(await capture(t, id, 100), 403, 'CAPTURE_NOT_ALLOWED');
  });

  it('a merchant cancel during the review keeps the order cancelled; the review still concludes, silently', async () => {
    const id = await newOrder(t, { email: 'customer+pend-accept-03@email.us', extra: { merchant_urls: { notification: notificationUrl } } });
    expect((await t.request('POST', omPath(id, '/cancel'))).statusCode).toBe(204);
    await advance(3 * 60);
    await drainOutbox(t);
    expect(await getOrder(t, id)).toMatchObject({ status: 'CANCELLED', fraud_status: 'ACCEPTED' });
    expect(t.transport.deliveries).toHaveLength(0);
  });

  it('without a notification URL the review concludes and nothing is sent', async () => {
    const id = await newOrder(t, { email: 'customer+pend-accept-01@email.us' });
    await advance(60);
    await drainOutbox(t);
    expect((await getOrder(t, id)).fraud_status).toBe('ACCEPTED');
    expect(t.transport.deliveries).toHaveLength(0);
  });
});

describe('auto_capture', () => {
  it('captures the whole order at creation, with its order lines', async () => {
    const id = await newOrder(t, { extra: { auto_capture: true } });
    const order = await getOrder(t, id);
    expect(order).toMatchObject({ status: 'CAPTURED', captured_amount: 10000, remaining_authorized_amount: 0 });
    expect(order.captures).toHaveLength(1);
    expect(order.captures[0]).toMatchObject({ captured_amount: 10000, order_lines: order.order_lines });
    expect(await t.kassa.deps.engine.store.getTimer(`order:${id}:expire`)).toBeUndefined();
  });

  it('waits for a pending review: captured once accepted, never when rejected', async () => {
    const accepted = await newOrder(t, { email: 'customer+pend-accept-01@email.us', extra: { auto_capture: true } });
    const rejected = await newOrder(t, { email: 'customer+pend-reject-01@email.us', extra: { auto_capture: true } });
    expect(await getOrder(t, accepted)).toMatchObject({ status: 'AUTHORIZED', fraud_status: 'PENDING', captured_amount: 0 });
    await advance(60);
    expect(await getOrder(t, accepted)).toMatchObject({ status: 'CAPTURED', fraud_status: 'ACCEPTED', captured_amount: 10000 });
    expect(await getOrder(t, rejected)).toMatchObject({ status: 'CANCELLED', fraud_status: 'REJECTED', captured_amount: 0 });
  });
});
