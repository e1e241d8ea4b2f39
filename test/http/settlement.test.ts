/**
 * Provider-side settlement and disputes of captures: settle on the account clock after the
 * configured delay or at once through the sandbox helper; a dispute ends in a chargeback (at once,
 * or after a review period on the clock); both are notified to the order's notification URL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { afterOrderChanged } from '../../src/app/orders/order-change-hooks.js';
import { orderType } from '../../src/app/orders/place-order.js';
import type { OrderState } from '../../src/domain/order/order-state.js';
import { settlementId, settlementType, type SettlementState } from '../../src/domain/settlement/settlement.js';
import { swedishOrder } from '../fixtures/orders.js';
import { placeOrder } from '../support/flows.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa;
beforeEach(async () => (t = await startTestKassa()));
afterEach(async () => t.close());

const day = 24 * 3600;

/**
 * A capture written the way Order Management writes one: new state and the order-change hook, one
 * unit of work. With `legacyOpenTimer`, as a version before settlement opened in the capture's own
 * transaction left it: without the hook, with the `settlement.open` timer it scheduled instead.
 */
async function capture(orderId: string, amount: number, options: { legacyOpenTimer?: boolean } = {}): Promise<string> {
  const account = (await t.kassa.deps.engine.store.getAccount(t.merchant.accountId))!;
  return t.kassa.deps.engine.execute(account, 'test', async (uow) => {
    const before = (await uow.load<OrderState>(orderType, orderId))!;
    const after: OrderState = structuredClone(before);
    const captureId = uow.ctx.random.uuid();
    after.captures.push({ capture_id: captureId, klarna_reference: 'REF', captured_amount: amount, captured_at: new Date(uow.now).toISOString(), order_lines: [], refunded_amount: 0, shipping_info: [] });
    after.captured_amount += amount;
    after.remaining_authorized_amount -= amount;
    after.status = after.remaining_authorized_amount === 0 ? 'CAPTURED' : 'PART_CAPTURED';
    uow.put(orderType, orderId, after);
    if (options.legacyOpenTimer) {
      const id = settlementId(orderId, captureId);
      uow.schedule({ id: `settlement:open:${orderId}:${captureId}`, dueAt: uow.now, kind: 'settlement.open', aggregateType: settlementType, aggregateId: id, payload: {} });
    } else {
      await afterOrderChanged(uow, before, after);
    }
    return captureId;
  });
}

/** A capture through Order Management's API, as a merchant makes one (201): its id and the request's correlation id. */
async function captureThroughApi(orderId: string, amount: number): Promise<{ captureId: string; correlationId: string }> {
  const res = await t.request('POST', `/ordermanagement/v1/orders/${orderId}/captures`, { body: { captured_amount: amount } });
  expect(res.statusCode, res.body).toBe(201);
  return { captureId: res.headers['capture-id'] as string, correlationId: res.headers['klarna-correlation-id'] as string };
}

async function notifiedOrder() {
  return placeOrder(t, swedishOrder(), { extra: { merchant_urls: { notification: 'https://merchant.example/notify/{order.id}' } } });
}

const notifications = () => t.transport.deliveries.map((d) => JSON.parse(d.body) as Record<string, unknown>);
const drain = async () => t.kassa.deps.outbox.drain((await t.kassa.deps.engine.store.getAccount(t.merchant.accountId))!);

describe('capture settlement (provider side)', () => {
  it('settles on the account clock after the settlement delay and notifies CAPTURE_SETTLED', async () => {
    const { orderId } = await notifiedOrder();
    const captureId = await capture(orderId, 10000);
    const path = `/sandbox/v1/orders/${orderId}/captures/${captureId}/settlement`;
    let read = await t.request('GET', path);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({ status: 'PENDING', amount: 10000, currency: 'SEK' });
    expect(Date.parse(read.json().settle_at) - Date.parse(read.json().captured_at)).toBe(7 * day * 1000);
    await t.advance(7 * day - 60);
    expect((await t.request('GET', path)).json().status).toBe('PENDING');
    await t.advance(60);
    read = await t.request('GET', path);
    expect(read.json()).toMatchObject({ status: 'SETTLED', settled_at: read.json().settle_at });
    await drain();
    expect(notifications()).toEqual([expect.objectContaining({ order_id: orderId, event_type: 'CAPTURE_SETTLED', capture_id: captureId, amount: 10000, event_id: expect.any(String) })]);
    expect(t.transport.deliveries[0]!.url).toBe(`https://merchant.example/notify/${orderId}`);
  });

  it('the delay is configurable per account; the sandbox helper settles now, once', async () => {
    const set = await t.request('PUT', '/sandbox/v1/settlement-settings', { body: { settlement_delay_days: 2 } });
    expect(set.json()).toEqual({ settlement_delay_days: 2 });
    expect((await t.request('GET', '/sandbox/v1/settlement-settings')).json()).toEqual({ settlement_delay_days: 2 });
    const { orderId } = await notifiedOrder();
    const captureId = await capture(orderId, 4000);
    await t.advance(0);
    const read = (await t.request('GET', `/sandbox/v1/orders/${orderId}/captures/${captureId}/settlement`)).json();
    expect(Date.parse(read.settle_at) - Date.parse(read.captured_at)).toBe(2 * day * 1000);
    const settled = await t.request('POST', `/sandbox/v1/orders/${orderId}/captures/${captureId}/settle`);
    expect(settled.statusCode, settled.body).toBe(200);
    expect(settled.json().status).toBe('SETTLED');
    const again = await t.request('POST', `/sandbox/v1/orders/${orderId}/captures/${captureId}/settle`);
    expect(again.statusCode).toBe(403);
    expect(again.json().error_code).toBe('NOT_ALLOWED');
    await t.advance(3 * day);
    await drain();
    expect(notifications().map((n) => n.event_type)).toEqual(['CAPTURE_SETTLED']);
  });

  it('a dispute ends in a chargeback, at once by default', async () => {
    const { orderId } = await notifiedOrder();
    const captureId = await capture(orderId, 10000);
    const res = await t.request('POST', `/sandbox/v1/orders/${orderId}/captures/${captureId}/dispute`, { body: { reason: 'faulty' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'CHARGEBACK', dispute_reason: 'faulty', chargeback_at: expect.any(String) });
    await t.advance(8 * day);
    await drain();
    expect(notifications().map((n) => n.event_type)).toEqual(['CAPTURE_DISPUTED', 'CAPTURE_CHARGEBACK']);
    expect((await t.request('POST', `/sandbox/v1/orders/${orderId}/captures/${captureId}/dispute`, { body: {} })).statusCode).toBe(403);
  });

  it('a dispute with a review period charges back when the period passes on the clock', async () => {
    const { orderId } = await notifiedOrder();
    const captureId = await capture(orderId, 10000);
    await t.request('POST', `/sandbox/v1/orders/${orderId}/captures/${captureId}/settle`);
    const res = await t.request('POST', `/sandbox/v1/orders/${orderId}/captures/${captureId}/dispute`, { body: { chargeback_after_days: 10 } });
    expect(res.json()).toMatchObject({ status: 'DISPUTED', chargeback_due_at: expect.any(String) });
    await t.advance(10 * day - 1);
    expect((await t.request('GET', `/sandbox/v1/orders/${orderId}/captures/${captureId}/settlement`)).json().status).toBe('DISPUTED');
    await t.advance(1);
    expect((await t.request('GET', `/sandbox/v1/orders/${orderId}/captures/${captureId}/settlement`)).json().status).toBe('CHARGEBACK');
    await drain();
    expect(notifications().map((n) => n.event_type)).toEqual(['CAPTURE_SETTLED', 'CAPTURE_DISPUTED', 'CAPTURE_CHARGEBACK']);
  });

  it('a capture through Order Management (and an auto_capture) starts its settlement clock through the order-change hook', async () => {
    await t.request('PUT', '/sandbox/v1/settlement-settings', { body: { settlement_delay_days: 3 } });
    const { orderId } = await notifiedOrder();
    const { captureId } = await captureThroughApi(orderId, 6000);
    const auto = await placeOrder(t, swedishOrder(), { extra: { auto_capture: true, merchant_urls: { notification: 'https://merchant.example/notify' } } });
    const autoCapture = (await t.request('GET', `/ordermanagement/v1/orders/${auto.orderId}`)).json().captures[0].capture_id as string;
    await t.advance(3 * day);
    await drain();
    expect(notifications().map((n) => [n.event_type, n.capture_id])).toEqual(expect.arrayContaining([['CAPTURE_SETTLED', captureId], ['CAPTURE_SETTLED', autoCapture]]));
    expect((await t.request('GET', `/sandbox/v1/orders/${orderId}/captures/${captureId}/settlement`)).json()).toMatchObject({ status: 'SETTLED', amount: 6000 });
  });

  it('a capture opens its settlement in its own transaction: stored at once, stamped with the capture, no timer to wait for', async () => {
    await t.request('PUT', '/sandbox/v1/settlement-settings', { body: { settlement_delay_days: 5 } });
    const { orderId } = await notifiedOrder();
    const { captureId, correlationId } = await captureThroughApi(orderId, 6000);
    const store = t.kassa.deps.engine.store;
    const stored = await store.getAggregate<SettlementState>(t.merchant.accountId, settlementType, settlementId(orderId, captureId));
    expect(stored?.state).toMatchObject({ status: 'PENDING', amount: 6000 });
    expect(Date.parse(stored!.state.settle_at) - Date.parse(stored!.state.captured_at)).toBe(5 * day * 1000);
    expect(await store.getTimer(`settlement:open:${orderId}:${captureId}`)).toBeUndefined();
    const events = await store.listEvents(t.merchant.accountId, settlementType, settlementId(orderId, captureId));
    expect(events.map((e) => [e.type, e.correlationId])).toEqual([['settlement.opened', correlationId]]);
  });

  it('a settlement.open timer an older version left in the database still opens its settlement when it fires', async () => {
    const { orderId } = await notifiedOrder();
    const captureId = await capture(orderId, 3000, { legacyOpenTimer: true });
    const store = t.kassa.deps.engine.store;
    expect(await store.getAggregate(t.merchant.accountId, settlementType, settlementId(orderId, captureId))).toBeUndefined();
    await t.advance(0);
    expect((await store.getAggregate<SettlementState>(t.merchant.accountId, settlementType, settlementId(orderId, captureId)))?.state).toMatchObject({ status: 'PENDING', amount: 3000 });
    expect(await store.getTimer(`settlement:open:${orderId}:${captureId}`)).toBeUndefined();
  });

  it('answers 404 for unknown orders, captures and other accounts; exists only in sandbox mode', async () => {
    const { orderId } = await notifiedOrder();
    const captureId = await capture(orderId, 10000);
    expect((await t.request('GET', `/sandbox/v1/orders/nope/captures/${captureId}/settlement`)).json().error_code).toBe('NO_SUCH_ORDER');
    expect((await t.request('POST', `/sandbox/v1/orders/${orderId}/captures/nope/settle`)).json().error_code).toBe('NO_SUCH_CAPTURE');
    const other = await t.createMerchant();
    expect((await t.request('POST', `/sandbox/v1/orders/${orderId}/captures/${captureId}/settle`, { merchant: other })).statusCode).toBe(404);
    const live = await startTestKassa({ env: { KASSA_MODE: 'live' } });
    try {
      expect((await live.request('GET', `/sandbox/v1/orders/${orderId}/captures/${captureId}/settlement`)).statusCode).toBe(404);
    } finally {
      await live.close();
    }
  });
});
