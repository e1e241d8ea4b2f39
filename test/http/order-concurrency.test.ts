/**
 * Concurrent money movements on one order, on SQLite and on PostgreSQL: 50 captures at once never
 * capture more than was authorized, refunds racing captures never refund more than was captured,
 * and no request gets a 5xx. Every answer is 201 (captured), 403 (nothing left) or 409 CONFLICT
 * (lost the race too often; retryable, nothing written), and the order's amounts add up to
 * exactly the successful requests.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/port.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { openTestPostgres, postgresAvailable } from '../support/postgres.js';
import { capture, getOrder, newOrder, refund } from '../support/om.js';

const backends: { name: string; open?: () => Promise<{ store: Store; drop(): Promise<void> }> }[] = [{ name: 'sqlite' }];
if (await postgresAvailable()) backends.push({ name: 'postgres', open: openTestPostgres });
else describe.skip('order concurrency: postgres (no server reachable; set KASSA_TEST_DATABASE_URL)', () => it('skipped', () => undefined));

for (const backend of backends) {
  describe(`order concurrency: ${backend.name}`, () => {
    let t: TestKassa;
    let drop: (() => Promise<void>) | undefined;
    beforeEach(async () => {
      const opened = backend.open ? await backend.open() : undefined;
      drop = opened?.drop;
      t = await startTestKassa(opened ? { store: opened.store } : {});
    });
    afterEach(async () => {
      await t.close();
      await drop?.().catch(() => undefined);
    });

    it('50 concurrent captures never capture more than authorized, and none gets a 5xx', async () => {
      const id = await newOrder(t, { amount: 10000 });
      const amounts = Array.from({ length: 50 }, (_, i) => 150 + ((i * 37) % 200)); // 150..349, sum ≈ 12 400 > 10 000
      const responses = await Promise.all(amounts.map((a) => capture(t, id, a)));

      const statuses = responses.map((r) => r.statusCode);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.every((s) => s === 201 || s === 403 || s === 409), statuses.join(',')).toBe(true);
      for (const r of responses) {
        if (r.statusCode === 403) expect(r.json().error_code).toBe('CAPTURE_NOT_ALLOWED');
        if (r.statusCode === 409) expect(r.json().error_code).toBe('CONFLICT');
      }
      const won = amounts.filter((_, i) => statuses[i] === 201);
      const order = await getOrder(t, id);
      expect(order.captured_amount).toBeLessThanOrEqual(order.order_amount);
      expect(order.captured_amount).toBe(won.reduce((s, a) => s + a, 0));
      expect(order.captures).toHaveLength(won.length);
      expect(order.remaining_authorized_amount).toBe(order.order_amount - order.captured_amount);
      expect(new Set(responses.filter((r) => r.statusCode === 201).map((r) => r.headers['capture-id'])).size).toBe(won.length);
      // A capture refused for lack of funds asked for more than remained then, hence more than remains now.
      for (const [i, a] of amounts.entries()) if (statuses[i] === 403) expect(a).toBeGreaterThan(order.remaining_authorized_amount);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
    });

    it('refunds racing captures never refund more than was captured', async () => {
      const id = await newOrder(t, { amount: 10000 });
      expect((await capture(t, id, 2000)).statusCode).toBe(201);
      const ops = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? () => capture(t, id, 500) : () => refund(t, id, 400)));
      const responses = await Promise.all(ops.map((op) => op()));
      const statuses = responses.map((r) => r.statusCode);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.every((s) => s === 201 || s === 403 || s === 409), statuses.join(',')).toBe(true);

      const captured = 2000 + 500 * responses.filter((r, i) => i % 2 === 0 && r.statusCode === 201).length;
      const refunded = 400 * responses.filter((r, i) => i % 2 === 1 && r.statusCode === 201).length;
      const order = await getOrder(t, id);
      expect(order.captured_amount).toBe(captured);
      expect(order.refunded_amount).toBe(refunded);
      expect(order.refunded_amount).toBeLessThanOrEqual(order.captured_amount);
      expect(order.captured_amount).toBeLessThanOrEqual(order.order_amount);
      const perCapture = order.captures.reduce((s: number, c: { refunded_amount: number; captured_amount: number }) => {
        expect(c.refunded_amount).toBeLessThanOrEqual(c.captured_amount);
        return s + c.refunded_amount;
      }, 0);
      expect(perCapture).toBe(order.refunded_amount);
    });

    it('50 concurrent captures with one Klarna-Idempotency-Key capture once', async () => {
      const id = await newOrder(t, { amount: 10000 });
      const headers = { 'klarna-idempotency-key': `same-key-${backend.name}` };
      const responses = await Promise.all(Array.from({ length: 50 }, () => capture(t, id, 100, {}, headers)));
      const statuses = responses.map((r) => r.statusCode);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.every((s) => s === 201 || s === 409), statuses.join(',')).toBe(true);
      const captureIds = new Set(responses.filter((r) => r.statusCode === 201).map((r) => r.headers['capture-id']));
      expect(captureIds.size).toBe(1);
      const order = await getOrder(t, id);
      expect(order.captures).toHaveLength(1);
      expect(order.captured_amount).toBe(100);
    });
  });
}
