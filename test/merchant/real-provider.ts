/**
 * A Kassa on a real socket whose merchant role talks to its own provider role over HTTP (the
 * default connection: KASSA_PUBLIC_URL and the account's credentials), with the provider's
 * notifications delivered for real to the merchant role's notification URL — or dropped, to
 * show that polling alone gets there.
 */
import { expect } from 'vitest';
import { merchantRuntimeFor, type MerchantRuntime } from '../../src/app/merchant/merchant-runtime.js';
import type { Store } from '../../src/store/port.js';
import { startTestKassa, type Merchant, type TestKassa } from '../support/harness.js';
import { freePort } from '../support/process.js';
import { json } from './support.js';

export interface RealSetup {
  t: TestKassa;
  runtime: MerchantRuntime;
  url: string;
  /** Deliver the provider's notifications (true) or drop them (false). */
  deliver: boolean;
  /** Moves the account clock, then runs timers, notifications and background steps until quiet. */
  tick(seconds?: number, who?: Merchant): Promise<void>;
  checkout(body: unknown, who?: Merchant): Promise<any>;
  /** The customer authorizes in the widget (sandbox helper); returns the token. */
  customerAuthorizes(sessionId: string, email?: string, who?: Merchant, category?: string): Promise<string>;
  act(orderId: string, action: string, body?: unknown, who?: Merchant): Promise<any>;
  order(orderId: string, who?: Merchant): Promise<any>;
  providerOrder(klarnaOrderId: string, who?: Merchant): Promise<any>;
  close(): Promise<void>;
}

export async function withKassaProvider(options: { store?: Store } = {}): Promise<RealSetup> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t = await startTestKassa({ env: { KASSA_PUBLIC_URL: url }, store: options.store });
  await t.kassa.app.listen({ host: '127.0.0.1', port });
  const runtime = merchantRuntimeFor(t.kassa.deps);
  const setup: RealSetup = {
    t,
    runtime,
    url,
    deliver: true,
    async tick(seconds = 0, who = t.merchant) {
      const res = await t.advance(seconds, who);
      expect(res.statusCode, res.body).toBe(200);
      for (let i = 0; i < 20; i++) {
        // The advance route starts an outbox pass of its own: let it finish first.
        await (t.kassa.deps.outbox as unknown as { running?: Promise<void> }).running;
        const account = (await t.kassa.deps.engine.store.getAccount(who.accountId))!;
        const sent = await t.kassa.deps.outbox.drain(account);
        await runtime.idle();
        const fired = await t.kassa.deps.timers.fireDue(account);
        await runtime.idle();
        if (sent === 0 && fired === 0) return;
      }
    },
    async checkout(body, who) {
      const res = await t.request('POST', '/merchant/v1/orders', { body, merchant: who });
      expect(res.statusCode, res.body).toBe(201);
      return json(res);
    },
    async customerAuthorizes(sessionId, email = 'customer@email.se', who, category) {
      const body = { billing_address: { email }, ...(category ? { payment_method_category: category } : {}) };
      const res = await t.request('POST', `/sandbox/v1/sessions/${sessionId}/authorize`, { body, merchant: who });
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res).approved).toBe(true);
      return json(res).authorization_token;
    },
    async act(orderId, action, body = {}, who) {
      const res = await t.request('POST', `/merchant/v1/orders/${orderId}/${action}`, { body, merchant: who });
      expect(res.statusCode, res.body).toBe(200);
      return json(res);
    },
    async order(orderId, who) {
      const res = await t.request('GET', `/merchant/v1/orders/${orderId}`, { merchant: who });
      expect(res.statusCode, res.body).toBe(200);
      return json(res);
    },
    async providerOrder(klarnaOrderId, who) {
      const res = await t.request('GET', `/ordermanagement/v1/orders/${klarnaOrderId}`, { merchant: who });
      expect(res.statusCode, res.body).toBe(200);
      return json(res);
    },
    async close() {
      await runtime.idle();
      await t.close();
    },
  };
  t.transport.respond = async (d) => {
    if (!setup.deliver) return 200;
    const res = await fetch(d.url, { method: 'POST', headers: d.headers, body: d.body });
    await res.arrayBuffer();
    return res.status;
  };
  return setup;
}
