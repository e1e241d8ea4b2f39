/**
 * Kassa as `npm start` runs it, plus one test hook: the merchant role's outbound HTTP client kills
 * the process (SIGKILL, as kill -9 does) right before sending, or right after receiving the answer
 * to, the first call of a given kind — `TEST_CRASH_AT=before:capture`, `after:place_order`, … —
 * so a test can stop the merchant role between any two steps of an order.
 */
import { guardedHttpClient, type HttpRequest } from '../../../src/app/merchant/http-client.js';
import { merchantRuntimeFor } from '../../../src/app/merchant/merchant-runtime.js';
import { loadConfig } from '../../../src/config/config.js';
import { createKassa, ensureSandboxMerchant } from '../../../src/kassa.js';

export function callKind(request: Pick<HttpRequest, 'method' | 'url'>): string {
  const path = new URL(request.url).pathname;
  if (request.method === 'POST' && path === '/payments/v1/sessions') return 'session';
  if (request.method === 'POST' && /\/authorizations\/[^/]+\/order$/.test(path)) return 'place_order';
  if (request.method === 'GET' && /^\/ordermanagement\/v1\/orders\/[^/]+$/.test(path)) return 'read_order';
  if (request.method === 'POST' && path.endsWith('/captures')) return 'capture';
  if (request.method === 'POST' && path.endsWith('/refunds')) return 'refund';
  return 'other';
}

const crashAt = process.env.TEST_CRASH_AT ?? '';
delete process.env.TEST_CRASH_AT;
const config = loadConfig(process.env, process.cwd());
const kassa = await createKassa(config);
await ensureSandboxMerchant(kassa, () => undefined);
const real = guardedHttpClient(config.outbound);
merchantRuntimeFor(kassa.deps).http = {
  async send(request) {
    const kind = callKind(request);
    if (crashAt === `before:${kind}`) die();
    const response = await real.send(request);
    if (crashAt === `after:${kind}`) die();
    return response;
  },
};
kassa.startWorkers();
await kassa.app.listen({ host: config.host, port: config.port });
process.stdout.write('ready\n');

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL cannot be caught; nothing after it runs. Block in case delivery is not immediate.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}
