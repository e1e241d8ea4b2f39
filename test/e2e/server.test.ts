/**
 * End to end over a real socket, Kassa started as `npm start` starts it: the README walk-through
 * (session -> sandbox authorize -> order), first-start credentials, SIGTERM shutdown, and that an
 * acknowledged write survives kill -9.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { swedishOrder } from '../fixtures/orders.js';
import { startKassaProcess } from '../support/process.js';

const dir = mkdtempSync(join(tmpdir(), 'kassa-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

async function call(url: string, method: string, auth: string, body?: unknown) {
  const res = await fetch(url, { method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

// Two process starts per test: allow for a busy machine (the suite's default is 30 s).
describe('kassa process', { timeout: 120_000 }, () => {
  it('prints generated sandbox credentials once, and they work', async () => {
    const db = join(dir, 'generated.db');
    const first = await startKassaProcess({ DATABASE_URL: `sqlite:${db}` });
    const user = /username: (\S+)/.exec(first.stdout())?.[1];
    const pass = /password: (\S+)/.exec(first.stdout())?.[1];
    expect(user && pass).toBeTruthy();
    expect((await call(`${first.url}/sandbox/v1/account`, 'GET', basic(user!, pass!))).status).toBe(200);
    expect(await first.stop()).toBe(0);
    const second = await startKassaProcess({ DATABASE_URL: `sqlite:${db}` });
    expect(second.stdout()).not.toContain('password:');
    await second.stop();
  });

  it('walks session -> authorize -> order, and keeps it across kill -9', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'walk.db')}`, KASSA_SANDBOX_MERCHANT: 'shop:shop-secret-1' };
    const auth = basic('shop', 'shop-secret-1');
    const k = await startKassaProcess(env);
    const session = await call(`${k.url}/payments/v1/sessions`, 'POST', auth, swedishOrder());
    expect(session.status).toBe(200);
    expect(session.headers.get('klarna-correlation-id')).toBeTruthy();
    const authorized = await call(`${k.url}/sandbox/v1/sessions/${session.json.session_id}/authorize`, 'POST', auth, {});
    const order = await call(`${k.url}/payments/v1/authorizations/${authorized.json.authorization_token}/order`, 'POST', auth, swedishOrder());
    expect(order.status).toBe(200);
    await k.stop('SIGKILL');
    const again = await startKassaProcess(env);
    const read = await call(`${again.url}/payments/v1/sessions/${session.json.session_id}`, 'GET', auth);
    expect(read.json).toMatchObject({ status: 'complete', order_id: order.json.order_id });
    expect(await again.stop('SIGTERM')).toBe(0);
  });

  it('refuses to start on a bad setting, naming it', async () => {
    await expect(startKassaProcess({ KASSA_MODE: 'production' })).rejects.toThrow(/KASSA_MODE/);
  });
});
