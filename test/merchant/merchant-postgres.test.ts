/**
 * The merchant role on both store adapters (PostgreSQL when reachable; in CI it must be): a whole
 * order against Kassa's own provider role, and many merchant requests racing on one order — no
 * 5xx, never more captured than the order, the provider and the merchant view agreeing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openTestPostgres, postgresAvailable } from '../support/postgres.js';
import { withKassaProvider, type RealSetup } from './real-provider.js';
import { pairHistory, standardCart } from './support.js';

const backends: { name: string; open?: typeof openTestPostgres }[] = [{ name: 'sqlite' }];
if (await postgresAvailable()) backends.push({ name: 'postgres', open: openTestPostgres });

for (const backend of backends) {
  describe(`merchant role on ${backend.name}`, () => {
    let k: RealSetup;
    let drop: (() => Promise<void>) | undefined;
    const start = async () => {
      const opened = backend.open ? await backend.open() : undefined;
      drop = opened?.drop;
      k = await withKassaProvider({ store: opened?.store });
    };
    afterEach(async () => {
      await k.close();
      await drop?.().catch(() => undefined);
    });

    it('walks an order from checkout through review, shipment, settlement and a refund', async () => {
      await start();
      const order = await k.checkout(standardCart());
      const token = await k.customerAuthorizes(order.checkout.session_id, 'customer+pend-accept-15@email.se');
      await k.act(order.order_id, 'authorize', { authorization_token: token });
      await k.tick(15 * 60);
      const shipped = await k.act(order.order_id, 'ship', { shipping_info: [{ shipping_company: 'DHL' }] });
      expect(shipped.state).toBe('captured');
      await k.t.request('POST', `/sandbox/v1/orders/${shipped.klarna.order_id}/captures/${shipped.captures[0].klarna_capture_id}/settle`);
      await k.tick();
      await k.act(order.order_id, 'refunds', { refunded_amount: 1000 });
      const final = await k.order(order.order_id);
      expect(final.state).toBe('completed');
      expect(pairHistory(final)).toEqual(['Uncleared/Initialized', 'Completed/Uncleared', 'Shipped/Uncleared', 'Shipped/Completed', 'Completed/Completed']);
    });

    it('20 concurrent captures on one order: none is a 5xx, never more than the order is captured, both sides agree', async () => {
      await start();
      const order = await k.checkout(standardCart());
      const token = await k.customerAuthorizes(order.checkout.session_id);
      const placed = await k.act(order.order_id, 'authorize', { authorization_token: token });
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => k.t.request('POST', `/merchant/v1/orders/${order.order_id}/captures`, { body: { captured_amount: 1000 }, headers: { 'klarna-idempotency-key': `cap-${i}` } })),
      );
      expect(answers.filter((a) => a.statusCode >= 500)).toEqual([]);
      // Each either ran (200) or found another step of the order running (409, retryable).
      for (const a of answers) expect([200, 409], a.body).toContain(a.statusCode);
      expect(answers.some((a) => a.statusCode === 200)).toBe(true);
      await k.tick();
      const after = await k.order(order.order_id);
      const provider = await k.providerOrder(placed.klarna.order_id);
      expect(after.captured_amount).toBeLessThanOrEqual(10000);
      expect(provider.captured_amount).toBe(after.captured_amount);
      expect(provider.captures).toHaveLength(after.captures.filter((c: any) => c.status === 'SETTLED').length);
      expect(after.captured_amount).toBe(1000 * answers.filter((a) => a.statusCode === 200).length);
    });
  });
}
