/**
 * Helpers for the merchant-role tests: carts, a Kassa whose merchant role points at the fake
 * provider, and reading orders and requests back over the merchant API.
 */
import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { merchantRuntimeFor, type MerchantRuntime } from '../../src/app/merchant/merchant-runtime.js';
import { startTestKassa, type Merchant, type TestKassa } from '../support/harness.js';
import { FakeKlarna } from './fake-klarna.js';

export interface Line {
  name: string;
  quantity: number;
  unit_price: number;
  total_amount: number;
  tax_rate: number;
  total_tax_amount: number;
  type?: string;
  reference?: string;
}

/** A line with a 25 % tax rate, tax computed as Klarna's rule wants it. */
export function line(name: string, unitPrice: number, quantity = 1, type?: string): Line {
  const total = unitPrice * quantity;
  const tax = Math.round(total - (total * 10000) / 12500);
  return { name, quantity, unit_price: unitPrice, total_amount: total, tax_rate: 2500, total_tax_amount: tax, ...(type ? { type } : {}), reference: name.toLowerCase().replace(/\W+/g, '-') };
}

export function cartOf(lines: Line[], extra: Record<string, unknown> = {}) {
  return {
    purchase_country: 'SE',
    purchase_currency: 'SEK',
    locale: 'sv-SE',
    order_amount: lines.reduce((s, l) => s + l.total_amount, 0),
    order_tax_amount: lines.reduce((s, l) => s + l.total_tax_amount, 0),
    order_lines: lines,
    merchant_reference1: 'shop-order-1',
    ...extra,
  };
}

export const standardCart = () => cartOf([line('Tennis racket', 8000), line('Balls', 1000, 2)]);

export interface FakeSetup {
  t: TestKassa;
  fake: FakeKlarna;
  runtime: MerchantRuntime;
  /** Moves the account clock, fires due timers, and waits for background drives. */
  tick(seconds: number, who?: Merchant): Promise<void>;
  close(): Promise<void>;
}

export async function withFakeProvider(): Promise<FakeSetup> {
  const t = await startTestKassa();
  const runtime = merchantRuntimeFor(t.kassa.deps);
  runtime.callTimeoutMs = 300;
  const accountNow = async () => t.kassa.deps.engine.accountNow((await t.kassa.deps.engine.store.getAccount(t.merchant.accountId))!);
  let nowCache = t.clock.now();
  const fake = await new FakeKlarna('fake-user', 'fake-password', () => nowCache).start();
  const refresh = async () => void (nowCache = await accountNow());
  const res = await t.request('PUT', '/merchant/v1/connection', { body: { base_url: fake.url, username: 'fake-user', password: 'fake-password' } });
  expect(res.statusCode).toBe(200);
  return {
    t,
    fake,
    runtime,
    async tick(seconds, who) {
      const r = await t.advance(seconds, who);
      expect(r.statusCode).toBe(200);
      await refresh();
      await runtime.idle();
    },
    async close() {
      await runtime.idle();
      await t.close();
      await fake.stop();
    },
  };
}

export function json(res: LightMyRequestResponse): any {
  return res.body ? JSON.parse(res.body) : undefined;
}

export async function getOrder(t: TestKassa, orderId: string, who?: Merchant): Promise<any> {
  const res = await t.request('GET', `/merchant/v1/orders/${orderId}`, { merchant: who });
  expect(res.statusCode).toBe(200);
  return json(res);
}

export function pairOf(order: { order_status: string; transaction_status: string }): string {
  return `${order.order_status}/${order.transaction_status}`;
}

/** The request log as "kind:STATUS" strings, in order. */
export function requestsOf(order: { requests: { kind: string; status: string }[] }): string[] {
  return order.requests.map((r) => `${r.kind}:${r.status}`);
}

/** The distinct MultiSafepay pairs the timeline went through, in order. */
export function pairHistory(order: { timeline: { order_status: string; transaction_status: string }[] }): string[] {
  const out: string[] = [];
  for (const e of order.timeline) {
    const p = `${e.order_status}/${e.transaction_status}`;
    if (out[out.length - 1] !== p) out.push(p);
  }
  return out;
}
