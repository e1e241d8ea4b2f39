/**
 * The rule again at send time (issue 17): a name is resolved, every address judged, and the socket
 * connects to the judged address — so DNS rebinding cannot reach a forbidden one. The resolver is
 * a fake: names here do not exist, and the only connections made are to a server on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../src/domain/limits.js';
import type { OutboundPolicy } from '../../src/domain/outbound/outbound-url.js';
import { OutboundRefused, sendGuarded, type Resolve } from '../../src/outbound/guarded-http.js';

let server: Server;
let port: number;
const received: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(`${req.method} ${req.headers.host} ${req.url}`);
    if (req.url === '/huge') {
      res.write(Buffer.alloc(limits.outboundResponseBytesMax));
      res.end(Buffer.alloc(1024));
      return;
    }
    if (req.url === '/exact') return res.end(Buffer.alloc(limits.outboundResponseBytesMax));
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const sandbox: OutboundPolicy = { mode: 'sandbox', allowPrivate: false };
const live: OutboundPolicy = { mode: 'live', allowPrivate: false };
const resolvesTo = (...addresses: string[]): Resolve & { calls: string[] } => {
  const calls: string[] = [];
  return Object.assign(async (hostname: string) => (calls.push(hostname), addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))), { calls });
};
const get = (url: string, policy: OutboundPolicy, resolve: Resolve) => sendGuarded({ method: 'GET', url, headers: {}, timeoutMs: 2000 }, policy, resolve);

describe('at send time', () => {
  it('connects to the address it judged: a name the resolver maps to loopback reaches the local server', async () => {
    const resolve = resolvesTo('127.0.0.1');
    const res = await get(`http://receiver.localhost:${port}/hook`, sandbox, resolve);
    expect(res).toMatchObject({ status: 200, body: 'ok' });
    expect(resolve.calls).toEqual(['receiver.localhost']);
    expect(received).toContain(`GET receiver.localhost:${port} /hook`);
  });

  it('refuses a name that resolves to a metadata or link-local address (DNS rebinding), in every mode', async () => {
    // A loopback-looking name judged fine when stored, which now resolves to the metadata service.
    await expect(get(`http://rebind.localhost:${port}/`, sandbox, resolvesTo('169.254.169.254'))).rejects.toThrow(/resolves to 169\.254\.169\.254: link-local and cloud metadata/);
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', 'fe80::1', '0.0.0.0']) {
      for (const policy of [sandbox, live, { ...live, allowPrivate: true }]) {
        await expect(get(`https://rebind.kassa-test:${port}/`, policy, resolvesTo(address))).rejects.toThrow(OutboundRefused);
      }
    }
  });

  it('refuses a name that resolves to a private address in live mode, and one forbidden address among several', async () => {
    await expect(get('https://internal.kassa-test/', live, resolvesTo('10.0.0.1'))).rejects.toThrow(/resolves to 10\.0\.0\.1: loopback and private addresses are refused in live mode/);
    await expect(get(`http://mixed.localhost:${port}/`, sandbox, resolvesTo('127.0.0.1', '169.254.169.254'))).rejects.toThrow(/169\.254\.169\.254/);
  });

  it('refuses plain http to a name that resolves off loopback', async () => {
    await expect(get('http://public.kassa-test/', sandbox, resolvesTo('93.184.215.14'))).rejects.toThrow(/must be https/);
  });

  it('judges IP literals without resolving, and refuses a URL stored before the rule existed', async () => {
    const resolve = resolvesTo('127.0.0.1');
    await expect(get('http://169.254.169.254/latest/meta-data/', sandbox, resolve)).rejects.toThrow(/link-local and cloud metadata/);
    await expect(get('https://[::ffff:a9fe:a9fe]/', sandbox, resolve)).rejects.toThrow(OutboundRefused);
    await expect(get(`http://127.0.0.1:${port}/x`, live, resolve)).rejects.toThrow(/live mode/);
    expect(resolve.calls).toEqual([]);
  });

  it("does not judge Kassa's own public origin", async () => {
    const res = await get(`http://127.0.0.1:${port}/own`, { ...live, trustedOrigin: `http://127.0.0.1:${port}` }, resolvesTo());
    expect(res.status).toBe(200);
  });

  it('outboundResponseBytesMax: reads an answer of exactly the limit, refuses one byte more', async () => {
    const resolve = resolvesTo('127.0.0.1');
    expect((await get(`http://127.0.0.1:${port}/exact`, sandbox, resolve)).body).toHaveLength(limits.outboundResponseBytesMax);
    await expect(get(`http://127.0.0.1:${port}/huge`, sandbox, resolve)).rejects.toThrow(/response body over/);
  });

  it('a delivery that wants only the status drains any answer unread: a huge 2xx is still a 2xx', async () => {
    const answer = await sendGuarded({ method: 'GET', url: `http://127.0.0.1:${port}/huge`, headers: {}, timeoutMs: 2000, discardBody: true }, sandbox, resolvesTo('127.0.0.1'));
    expect(answer).toMatchObject({ status: 200, body: '' });
  });
});
