/**
 * An order change reads what its hooks will read together with the order (order-change-hooks.ts,
 * `prefetch`): a capture's settlement settings travel with the order's read — issued in the same
 * synchronous run, so on PostgreSQL one statement fetches both instead of two round trips.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { orderType } from '../../src/app/orders/place-order.js';
import { settlementSettingsType } from '../../src/app/settlement/settlement.js';
import type { Store } from '../../src/store/port.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { swedishOrder } from '../fixtures/orders.js';
import { placeOrder } from '../support/flows.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { openTestPostgres, postgresAvailable } from '../support/postgres.js';

const withPostgres = await postgresAvailable();
let t: TestKassa | undefined;
let dropPostgres: (() => Promise<void>) | undefined;
afterEach(async () => {
  await t?.close();
  await dropPostgres?.();
  t = dropPostgres = undefined;
});

const capture = (orderId: string) => t!.request('POST', `/ordermanagement/v1/orders/${orderId}/captures`, { body: { captured_amount: 10000 } });

/** Records the store's aggregate reads, each with the synchronous run it was issued in. */
function recordReads(store: Store): { type: string; run: number }[] {
  const reads: { type: string; run: number }[] = [];
  let run = 0;
  let ending = false;
  const getAggregate = store.getAggregate.bind(store);
  store.getAggregate = ((accountId: string, type: string, id: string) => {
    if (!ending) {
      ending = true;
      queueMicrotask(() => ((ending = false), run++)); // the next await starts another run
    }
    reads.push({ type, run });
    return getAggregate(accountId, type, id);
  }) as Store['getAggregate'];
  return reads;
}

describe('order changes read what their hooks need together with the order', () => {
  it('a capture issues the settlement settings read in the same synchronous run as the order read', async () => {
    t = await startTestKassa();
    const { orderId } = await placeOrder(t, swedishOrder());
    const reads = recordReads(t.kassa.deps.engine.store);
    const res = await capture(orderId);
    expect(res.statusCode, res.body).toBe(201);
    const order = reads.find((r) => r.type === orderType);
    const settings = reads.filter((r) => r.type === settlementSettingsType);
    expect(settings).toHaveLength(1); // taken by the hook's load, not read again
    expect(settings[0]!.run).toBe(order!.run);
  });

  it.skipIf(!withPostgres)('on PostgreSQL a capture reads the order and the settings in one statement', async () => {
    const pg = await openTestPostgres();
    dropPostgres = pg.drop;
    t = await startTestKassa({ store: pg.store });
    const { orderId } = await placeOrder(t, swedishOrder());
    const pool = (pg.store as PostgresStore).pool as unknown as { query: (...args: unknown[]) => unknown };
    const query = pool.query.bind(pool);
    const aggregateReads: string[] = [];
    pool.query = (...args: unknown[]) => {
      const first = args[0] as string | { text: string; values?: unknown[] };
      const text = typeof first === 'string' ? first : first.text;
      if (/FROM (unnest|aggregates)/.test(text) && !/kassa_/.test(text)) aggregateReads.push(text);
      return query(...args);
    };
    const res = await capture(orderId);
    expect(res.statusCode, res.body).toBe(201);
    expect(aggregateReads).toHaveLength(1);
  });
});
