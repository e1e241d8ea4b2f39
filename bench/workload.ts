/**
 * What the load generator sends. Two workloads, one request shape:
 * - `echo`: one POST of a checkout-sized JSON body per operation (the bare node:http ceiling);
 * - `lifecycle`: the mixed Klarna lifecycle, seven API calls in order, each one operation:
 *   create session -> sandbox authorize -> create order -> partial capture -> capture the rest ->
 *   partial refund -> get order (reference §1, §2). Every answer is checked; an unexpected status
 *   or body is an error and ends that lifecycle.
 */

export const orderData = {
  purchase_country: 'SE',
  purchase_currency: 'SEK',
  locale: 'sv-SE',
  order_amount: 20000,
  order_tax_amount: 4000,
  order_lines: [
    {
      type: 'physical',
      reference: 'SKU-1',
      name: 'Bench Tee',
      quantity: 2,
      unit_price: 7500,
      tax_rate: 2500,
      total_amount: 15000,
      total_tax_amount: 3000,
    },
    {
      type: 'physical',
      reference: 'SKU-2',
      name: 'Bench Socks',
      quantity: 1,
      unit_price: 5000,
      tax_rate: 2500,
      total_amount: 5000,
      total_tax_amount: 1000,
    },
  ],
};
export const orderBody = JSON.stringify(orderData);

/** Calls per lifecycle; each is one operation. */
export const lifecycleOps = 7;

/** What a lifecycle needs of an HTTP client: undici's Pool over a socket, or `app.inject` in process. */
export interface Requester {
  request(options: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string }): Promise<{ statusCode: number; body: { text(): Promise<string> } }>;
}

export interface Target {
  pool: Requester;
  authorization?: string;
  /**
   * One finished call: `startedNs` when it was issued (queueing in the client pool included),
   * `latencyUs` until its whole answer arrived; `error` when it failed.
   */
  record(startedNs: bigint, latencyUs: number, error?: string): void;
  /** A failure that is not one call's (a wrong final state). */
  error(message: string): void;
}

/** An in-process target: the lifecycle's calls answered by `app.inject`, any failure thrown at once. */
export function injectTarget(app: { inject(options: { method: string; url: string; headers: Record<string, string>; payload?: string }): Promise<{ statusCode: number; body: string }> }, authorization: string): Target {
  return {
    authorization,
    pool: {
      async request({ method, path, headers, body }) {
        const r = await app.inject({ method, url: path, headers, payload: body });
        return { statusCode: r.statusCode, body: { text: async () => r.body } };
      },
    },
    record: (_started, _latencyUs, error) => {
      if (error) throw new Error(error);
    },
    error: (message) => {
      throw new Error(message);
    },
  };
}

async function call(target: Target, method: 'GET' | 'POST', path: string, expect: number, body?: string): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (target.authorization) headers.authorization = target.authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const started = process.hrtime.bigint();
  let status = 0;
  let text = '';
  try {
    const response = await target.pool.request({ method, path, headers, body });
    status = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    target.record(started, Number(process.hrtime.bigint() - started) / 1000, `${method} ${redact(path)}: ${String(error)}`);
    throw new LifecycleError();
  }
  const latencyUs = Number(process.hrtime.bigint() - started) / 1000;
  if (status !== expect) {
    target.record(started, latencyUs, `${method} ${redact(path)}: ${status} ${text.slice(0, 300)}`);
    throw new LifecycleError();
  }
  target.record(started, latencyUs);
  return text ? JSON.parse(text) : undefined;
}

export class LifecycleError extends Error {}

/** Ids and tokens out of paths, so error messages group. */
function redact(path: string): string {
  return path.replace(/\/[^/]{20,}/g, '/:id');
}

export async function echoOnce(target: Target): Promise<void> {
  await call(target, 'POST', '/echo', 200, orderBody);
}

/** `steps` < 7 runs only the first calls (for profiling a part of the path); the bench runs all 7. */
export async function lifecycleOnce(target: Target, steps = lifecycleOps): Promise<void> {
  const session = (await call(target, 'POST', '/payments/v1/sessions', 200, orderBody)) as { session_id: string };
  if (steps <= 1) return;
  const auth = (await call(target, 'POST', `/sandbox/v1/sessions/${session.session_id}/authorize`, 200, '{}')) as { authorization_token: string };
  if (steps <= 2) return;
  const order = (await call(target, 'POST', `/payments/v1/authorizations/${auth.authorization_token}/order`, 200, orderBody)) as { order_id: string };
  if (steps <= 3) return;
  const base = `/ordermanagement/v1/orders/${order.order_id}`;
  await call(target, 'POST', `${base}/captures`, 201, JSON.stringify({ captured_amount: 12000 }));
  await call(target, 'POST', `${base}/captures`, 201, JSON.stringify({ captured_amount: 8000 }));
  await call(target, 'POST', `${base}/refunds`, 201, JSON.stringify({ refunded_amount: 5000 }));
  const final = (await call(target, 'GET', base, 200)) as { status: string; captured_amount: number; refunded_amount: number };
  if (final.status !== 'CAPTURED' || final.captured_amount !== 20000 || final.refunded_amount !== 5000) {
    target.error(`final order state unexpected: ${JSON.stringify(final).slice(0, 300)}`);
    throw new LifecycleError();
  }
}
