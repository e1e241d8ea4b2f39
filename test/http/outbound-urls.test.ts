/**
 * Every stored URL Kassa will call follows one rule (issue 17): the merchant connection's
 * base_url, v2 webhooks and merchant_urls.notification / .authorization. Link-local and metadata
 * targets are always 400 naming the field; private ones in live mode unless
 * KASSA_OUTBOUND_ALLOW_PRIVATE=true; plain http only to loopback in sandbox. Addresses only: no
 * test sends anything anywhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { swedishOrder } from '../fixtures/orders.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa;
afterEach(async () => t?.close());

const metadataTargets = ['http://169.254.169.254/latest', 'https://169.254.169.254/', 'http://[::ffff:a9fe:a9fe]', 'https://metadata.google.internal/', 'https://2852039166/', 'https://0xa9fea9fe/'];

async function putConnection(baseUrl: string) {
  return t.request('PUT', '/merchant/v1/connection', { body: { base_url: baseUrl, username: 'PK_1', password: 'secret' } });
}
async function addWebhook(url: string) {
  const signing_key_id = (await t.request('POST', '/v2/notification/signing-keys')).json().signing_key_id;
  return t.request('POST', '/v2/notification/webhooks', { body: { url, event_types: ['*'], event_version: 'v2', signing_key_id, status: 'ENABLED' } });
}
const createSession = (merchant_urls: Record<string, string>) => t.request('POST', '/payments/v1/sessions', { body: { ...swedishOrder(), merchant_urls } });

function expectRefused(res: { statusCode: number; json(): any }, field: string, reason: RegExp) {
  expect(res.statusCode).toBe(400);
  const body = res.json();
  const message = body.error_messages?.[0] ?? body.error_message;
  expect(message).toContain(`Bad value: ${field} (`);
  expect(message).toMatch(reason);
}

describe('sandbox', () => {
  it('refuses metadata and link-local targets everywhere, and http off loopback', async () => {
    t = await startTestKassa();
    for (const url of metadataTargets) {
      expectRefused(await putConnection(url), 'base_url', /link-local and cloud metadata/);
      expectRefused(await addWebhook(url), 'url', /link-local and cloud metadata/);
      expectRefused(await createSession({ notification: url }), 'merchant_urls.notification', /link-local and cloud metadata/);
      expectRefused(await createSession({ authorization: url }), 'merchant_urls.authorization', /link-local and cloud metadata/);
    }
    expectRefused(await putConnection('http://10.0.0.1:8080'), 'base_url', /must be https/);
    expect(await t.kassa.deps.engine.store.listAggregates(t.merchant.accountId, 'session', { limit: 10 })).toHaveLength(0);
    expect((await t.request('GET', '/merchant/v1/connection')).json().source).toBe('default');
  });

  it('accepts loopback over http, private and public over https', async () => {
    t = await startTestKassa();
    expect((await putConnection('http://127.0.0.1:9/klarna')).statusCode).toBe(200);
    expect((await putConnection('https://10.0.0.1:8443')).statusCode).toBe(200);
    expect((await putConnection('https://api.playground.klarna.com')).statusCode).toBe(200);
    expect((await addWebhook('http://localhost:3000/hooks')).statusCode).toBe(201);
    expect((await createSession({ notification: 'https://shop.example/notify/{order.id}', authorization: 'http://127.0.0.1:9/auth/{session.id}', confirmation: 'http://shop.example/thanks' })).statusCode).toBe(200);
  });
});

describe('live mode', () => {
  it('refuses loopback and private targets', async () => {
    t = await startTestKassa({ env: { KASSA_MODE: 'live' } });
    for (const url of ['https://10.0.0.1:8443/', 'https://192.168.1.5/', 'https://127.0.0.1/', 'https://[fd00::1]/']) {
      expectRefused(await putConnection(url), 'base_url', /KASSA_OUTBOUND_ALLOW_PRIVATE/);
      expectRefused(await addWebhook(url), 'url', /KASSA_OUTBOUND_ALLOW_PRIVATE/);
      expectRefused(await createSession({ notification: url }), 'merchant_urls.notification', /KASSA_OUTBOUND_ALLOW_PRIVATE/);
    }
    expect((await putConnection('https://api.klarna.com')).statusCode).toBe(200);
  });

  it('allows them when the operator says so, but never metadata targets', async () => {
    t = await startTestKassa({ env: { KASSA_MODE: 'live', KASSA_OUTBOUND_ALLOW_PRIVATE: 'true' } });
    expect((await putConnection('https://10.0.0.1:8443/')).statusCode).toBe(200);
    expect((await addWebhook('https://192.168.1.5/hooks')).statusCode).toBe(201);
    for (const url of metadataTargets) expectRefused(await putConnection(url), 'base_url', /link-local and cloud metadata/);
  });
});
