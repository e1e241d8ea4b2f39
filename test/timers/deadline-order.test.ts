/**
 * Moving the clock fires every due timer in deadline order, also the ones that fired timers
 * schedule on the way: a chain re-scheduling itself every 2 hours interleaves with a timer at 5 h.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa;
beforeEach(async () => (t = await startTestKassa()));
afterEach(async () => t.close());

it('fires timers scheduled during an advance before later ones already due', async () => {
  const hour = 3600_000;
  const fired: string[] = [];
  const engine = t.kassa.deps.engine;
  const account = (await engine.store.getAccount(t.merchant.accountId))!;
  const start = engine.accountNow(account);
  t.kassa.deps.timers.register('test.chain', async (uow, timer) => {
    fired.push(`chain@${(uow.now - start) / hour}h`);
    const n = (timer.payload as { n: number }).n;
    if (n < 3) uow.schedule({ id: `chain-${n + 1}`, dueAt: uow.now + 2 * hour, kind: 'test.chain', aggregateType: 'test', aggregateId: 'x', payload: { n: n + 1 } });
  });
  t.kassa.deps.timers.register('test.once', async (uow) => void fired.push(`once@${(uow.now - start) / hour}h`));
  await engine.execute(account, 'test', async (uow) => {
    uow.schedule({ id: 'chain-1', dueAt: start + 2 * hour, kind: 'test.chain', aggregateType: 'test', aggregateId: 'x', payload: { n: 1 } });
    uow.schedule({ id: 'once', dueAt: start + 5 * hour, kind: 'test.once', aggregateType: 'test', aggregateId: 'y', payload: {} });
  });
  const res = await t.advance(6 * 3600);
  // timers_fired counts the timers already due when the clock moved (2); the chain's later links fire too, as the order shows.
  expect(res.json().timers_fired).toBe(2);
  expect(fired).toEqual(['chain@2h', 'chain@4h', 'once@5h', 'chain@6h']);
});
