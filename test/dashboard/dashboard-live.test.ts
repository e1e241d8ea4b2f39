/**
 * Live pages over a real socket: an object page's Server-Sent Events stream says "change" when the
 * object changes — at once for a commit of this process, and within the poll interval for a commit
 * made by another node sharing the store (here: a second Kassa on the same database, whose
 * commits this one's notifier never hears). Another account's object has no stream (404).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dashboardLimits } from '../../src/domain/limits.js';
import { signIn, type DashboardUser } from '../support/dashboard.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { newOrder, omPath } from '../support/om.js';

let t: TestKassa;
let user: DashboardUser;
let base: string;
beforeAll(async () => {
  t = await startTestKassa();
  await t.kassa.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.kassa.app.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  user = await signIn(t);
});
afterAll(async () => t.close());

/** Opens the stream and collects its text; `until` waits for a fragment. */
async function openStream(path: string, cookie: string) {
  const controller = new AbortController();
  const res = await fetch(base + path, { headers: { cookie }, signal: controller.signal });
  let text = '';
  const reader = res.body!.getReader();
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    res,
    text: () => text,
    async until(fragment: string, count: number, withinMs: number) {
      const start = Date.now();
      while (text.split(fragment).length - 1 < count) {
        if (Date.now() - start > withinMs) throw new Error(`no ${count}× ${fragment} within ${withinMs} ms: ${text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return Date.now() - start;
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}

it("says 'change' at once when this process commits a change to the object", async () => {
  const orderId = await newOrder(t);
  const stream = await openStream(`/dashboard/orders/${orderId}/live`, user.cookie);
  try {
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await stream.until(': live', 1, 2000);
    expect((await t.request('POST', omPath(orderId, '/captures'), { body: { captured_amount: 1000 } })).statusCode).toBe(201);
    const waited = await stream.until('event: change', 1, 1500);
    expect(waited).toBeLessThan(dashboardLimits.livePollMs);
    // A change to another object says nothing here.
    const other = await newOrder(t);
    await t.request('POST', omPath(other, '/cancel'));
    await new Promise((r) => setTimeout(r, 200));
    expect(stream.text().split('event: change').length - 1).toBe(1);
  } finally {
    await stream.close();
  }
});

it("sees another node's commit by polling", async () => {
  const orderId = await newOrder(t);
  const stream = await openStream(`/dashboard/orders/${orderId}/live`, user.cookie);
  const otherNode = await startTestKassa({ store: t.kassa.deps.engine.store });
  try {
    await stream.until(': live', 1, 2000);
    const res = await otherNode.request('POST', omPath(orderId, '/captures'), { body: { captured_amount: 1000 }, merchant: t.merchant });
    expect(res.statusCode).toBe(201);
    await stream.until('event: change', 1, dashboardLimits.livePollMs * 2 + 1000);
  } finally {
    await stream.close();
    await otherNode.kassa.app.close();
  }
});

it("another account's object has no stream, and no session has none either", async () => {
  const orderId = await newOrder(t);
  const intruder = await signIn(t, await t.createMerchant());
  expect((await fetch(`${base}/dashboard/orders/${orderId}/live`, { headers: { cookie: intruder.cookie } })).status).toBe(404);
  expect((await fetch(`${base}/dashboard/orders/${orderId}/live`)).status).toBe(401);
});
