/**
 * The order machine, walked over HTTP from its table (src/domain/order/order-machine.ts):
 * - one test per transition: reach `from`, cause `event` so that `guard` holds, and find `to`;
 *   a transition without a scenario fails, so a new row in the table needs a test;
 * - one test per (status, merchant command) the table does NOT allow: refused with the
 *   documented 403 code, and the order unchanged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { orderMachine, type OrderEvent } from '../../src/domain/order/order-machine.js';
import type { OrderStatus } from '../../src/domain/order/order-state.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { capture, dayS, expectError, getOrder, newOrder, omPath, refund } from '../support/om.js';

let t: TestKassa;
beforeEach(async () => {
  t = await startTestKassa();
});
afterEach(async () => t.close());

async function ok(res: Promise<{ statusCode: number; body: string }>): Promise<void> {
  const r = await res;
  expect(r.statusCode, r.body).toBeLessThan(300);
}

const post = (id: string, path: string, body?: object) => ok(t.request('POST', omPath(id, path), { body }));
const patch = (id: string, path: string, body: object) => ok(t.request('PATCH', omPath(id, path), { body }));
const advance = async (seconds: number) => ok(t.advance(seconds));

/** Orders of 10 000 in each status a scenario can start from. */
const reach: Record<OrderStatus, () => Promise<string>> = {
  AUTHORIZED: () => newOrder(t),
  PART_CAPTURED: async () => {
    const id = await newOrder(t);
    await ok(capture(t, id, 4000));
    return id;
  },
  CAPTURED: async () => {
    const id = await newOrder(t);
    await ok(capture(t, id, 10000));
    return id;
  },
  CANCELLED: async () => {
    const id = await newOrder(t);
    await post(id, '/cancel');
    return id;
  },
  EXPIRED: async () => {
    const id = await newOrder(t);
    await advance(28 * dayS);
    return id;
  },
  CLOSED: async () => {
    const id = await newOrder(t);
    await ok(capture(t, id, 10000));
    await ok(refund(t, id, 10000));
    return id;
  },
};

interface Scenario {
  /** Defaults to reach[from]. */
  setup?: () => Promise<string>;
  act: (id: string) => Promise<void>;
}

const key = (from: string, event: string, guard?: string) => `${from} ${event}${guard ? ` [${guard}]` : ''}`;

const scenarios: Record<string, Scenario> = {
  'AUTHORIZED capture [amount remains]': { act: (id) => ok(capture(t, id, 1000)) },
  'AUTHORIZED capture [fully captured]': { act: (id) => ok(capture(t, id, 10000)) },
  'AUTHORIZED update_authorization': { act: (id) => patch(id, '/authorization', { order_amount: 12000 }) },
  'AUTHORIZED extend_authorization': {
    act: async (id) => {
      await advance(dayS);
      await post(id, '/extend-authorization-time');
    },
  },
  'AUTHORIZED fraud_accepted': { setup: () => newOrder(t, { email: 'customer+pend-accept-01@email.se' }), act: () => advance(60) },
  'AUTHORIZED fraud_rejected': { setup: () => newOrder(t, { email: 'customer+pend-reject-01@email.se' }), act: () => advance(60) },
  'AUTHORIZED cancel': { act: (id) => post(id, '/cancel') },
  'AUTHORIZED expire': { act: () => advance(28 * dayS) },

  'PART_CAPTURED capture [amount remains]': { act: (id) => ok(capture(t, id, 1000)) },
  'PART_CAPTURED capture [fully captured]': { act: (id) => ok(capture(t, id, 6000)) },
  'PART_CAPTURED refund': { act: (id) => ok(refund(t, id, 1000)) },
  'PART_CAPTURED update_authorization [amount remains]': { act: (id) => patch(id, '/authorization', { order_amount: 9000 }) },
  'PART_CAPTURED update_authorization [fully captured]': { act: (id) => patch(id, '/authorization', { order_amount: 4000 }) },
  'PART_CAPTURED update_authorization [fully refunded]': {
    act: async (id) => {
      await ok(refund(t, id, 4000));
      await patch(id, '/authorization', { order_amount: 4000 });
    },
  },
  'PART_CAPTURED extend_authorization': { act: (id) => post(id, '/extend-authorization-time') },
  'PART_CAPTURED release_remaining_authorization [fully captured]': { act: (id) => post(id, '/release-remaining-authorization') },
  'PART_CAPTURED release_remaining_authorization [fully refunded]': {
    act: async (id) => {
      await ok(refund(t, id, 4000));
      await post(id, '/release-remaining-authorization');
    },
  },
  'PART_CAPTURED expire [fully captured]': { act: () => advance(28 * dayS) },
  'PART_CAPTURED expire [fully refunded]': {
    act: async (id) => {
      await ok(refund(t, id, 4000));
      await advance(28 * dayS);
    },
  },

  'CAPTURED refund [fully captured]': { act: (id) => ok(refund(t, id, 1000)) },
  'CAPTURED refund [fully refunded]': { act: (id) => ok(refund(t, id, 10000)) },
  'CAPTURED release_remaining_authorization': { act: (id) => post(id, '/release-remaining-authorization') },
};

describe('every transition of the order machine', () => {
  for (const tr of orderMachine.transitions) {
    const name = key(tr.from, tr.event, tr.guard);
    it(`${name} -> ${tr.to}`, async () => {
      const scenario = scenarios[name];
      expect(scenario, `no scenario for transition "${name}"`).toBeDefined();
      const id = await (scenario!.setup ?? reach[tr.from])();
      expect((await getOrder(t, id)).status).toBe(tr.from);
      await scenario!.act(id);
      const order = await getOrder(t, id);
      expect(order.status).toBe(tr.to);
      if (tr.event === 'fraud_accepted') expect(order.fraud_status).toBe('ACCEPTED');
      if (tr.event === 'fraud_rejected') expect(order.fraud_status).toBe('REJECTED');
      const events = await t.kassa.deps.engine.store.listEvents(t.merchant.accountId, 'order', id);
      expect(events.some((e) => e.type === 'order.signal-ignored')).toBe(false);
    });
  }

  it('has no scenario for a transition the table does not have', () => {
    const names = new Set(orderMachine.transitions.map((tr) => key(tr.from, tr.event, tr.guard)));
    expect(Object.keys(scenarios).filter((k) => !names.has(k))).toEqual([]);
  });
});

/** Merchant commands and the code Klarna documents when the order's status does not allow them. */
const commands: Partial<Record<OrderEvent, { code: string; run: (id: string) => ReturnType<TestKassa['request']> }>> = {
  capture: { code: 'CAPTURE_NOT_ALLOWED', run: (id) => capture(t, id, 1) },
  refund: { code: 'REFUND_NOT_ALLOWED', run: (id) => refund(t, id, 1) },
  cancel: { code: 'CANCEL_NOT_ALLOWED', run: (id) => t.request('POST', omPath(id, '/cancel')) },
  update_authorization: { code: 'NOT_ALLOWED', run: (id) => t.request('PATCH', omPath(id, '/authorization'), { body: { order_amount: 10000 } }) },
  extend_authorization: { code: 'NOT_ALLOWED', run: (id) => t.request('POST', omPath(id, '/extend-authorization-time')) },
  release_remaining_authorization: { code: 'NOT_ALLOWED', run: (id) => t.request('POST', omPath(id, '/release-remaining-authorization')) },
};

describe('every merchant command the table refuses', () => {
  for (const state of orderMachine.states) {
    for (const [event, command] of Object.entries(commands) as [OrderEvent, NonNullable<(typeof commands)[OrderEvent]>][]) {
      if (orderMachine.transitions.some((tr) => tr.from === state && tr.event === event)) continue;
      it(`${state} ${event} -> 403 ${command.code}`, async () => {
        const id = await reach[state]();
        const before = await getOrder(t, id);
        expect(before.status).toBe(state);
        expectError(await command.run(id), 403, command.code);
        expect(await getOrder(t, id)).toEqual(before);
      });
    }
  }
});
