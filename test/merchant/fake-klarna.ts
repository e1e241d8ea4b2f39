/**
 * A small Klarna-compatible provider on a real socket, for the merchant role's tests that need
 * what Kassa's own provider role will not do on request: answer 500 after committing, hang past
 * the client's timeout, refuse updates. It keeps Payments v1 sessions/orders and the Order
 * Management operations the merchant role uses, honours Klarna-Idempotency-Key (a repeat gets the
 * first answer), checks Basic credentials, and records every request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FakeCall {
  method: string;
  path: string;
  idempotencyKey?: string;
  body: Record<string, unknown> | undefined;
}

export type FaultMode = 'error-500' | 'commit-then-500' | 'commit-then-hang' | 'network';

interface Fault {
  method: string;
  path: RegExp;
  mode: FaultMode;
  times: number;
}

export interface FakeOrder {
  order_id: string;
  status: 'AUTHORIZED' | 'PART_CAPTURED' | 'CAPTURED' | 'CANCELLED' | 'EXPIRED' | 'CLOSED';
  fraud_status: 'ACCEPTED' | 'PENDING' | 'REJECTED';
  order_amount: number;
  original_order_amount: number;
  captured_amount: number;
  refunded_amount: number;
  remaining_authorized_amount: number;
  expires_at: string;
  order_lines: unknown[];
  captures: { capture_id: string; reference?: string; captured_amount: number; captured_at: string }[];
  refunds: { refund_id: string; reference?: string; refunded_amount: number }[];
  shipping_info: unknown[];
  merchant_urls?: Record<string, string>;
}

const day = 24 * 3600_000;

export class FakeKlarna {
  readonly calls: FakeCall[] = [];
  readonly sessions = new Map<string, { status: 'incomplete' | 'complete'; body: Record<string, unknown>; expires_at_ms: number }>();
  readonly tokens = new Map<string, { sessionId: string; fraud: FakeOrder['fraud_status']; used: boolean }>();
  readonly orders = new Map<string, FakeOrder>();
  readonly settlements = new Map<string, 'PENDING' | 'SETTLED' | 'DISPUTED' | 'CHARGEBACK'>();
  /** Answer settlement reads (a Kassa extension); false behaves like a provider without it. */
  settlementEndpoint = true;
  refuseUpdates = false;
  hangMs = 1000;
  private readonly idempotent = new Map<string, { status: number; headers: Record<string, string>; body: string }>();
  private faults: Fault[] = [];
  private server?: Server;
  url = '';

  constructor(
    readonly username: string,
    readonly password: string,
    private readonly now: () => number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  fault(method: string, path: RegExp, mode: FaultMode, times = 1): void {
    this.faults.push({ method, path, mode, times });
  }

  /** The JS SDK's authorize(): a token for the session, with the fraud status the order will get. */
  authorize(sessionId: string, fraud: FakeOrder['fraud_status'] = 'ACCEPTED'): string {
    const token = randomUUID();
    this.tokens.set(token, { sessionId, fraud, used: false });
    return token;
  }

  callsTo(method: string, path: RegExp): FakeCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const key = req.headers['klarna-idempotency-key'] as string | undefined;
    this.calls.push({ method, path, idempotencyKey: key, body });

    const expected = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return send(res, 401, {}, { error_code: 'UNAUTHORIZED', error_messages: ['Bad credentials'] });

    const fault = this.faults.find((f) => f.method === method && f.path.test(path) && f.times > 0);
    if (fault) fault.times--;
    if (fault?.mode === 'error-500') return send(res, 500, {}, { error_code: 'INTERNAL_SERVER_ERROR', error_messages: ['boom'] });
    if (fault?.mode === 'network') return void req.socket.destroy();

    if (key && this.idempotent.has(key)) {
      const first = this.idempotent.get(key)!;
      return sendRaw(res, first.status, first.headers, first.body);
    }
    const answer = this.route(method, path, body);
    if (key && answer.status < 300) this.idempotent.set(key, { status: answer.status, headers: answer.headers, body: answer.body === undefined ? '' : JSON.stringify(answer.body) });
    if (fault?.mode === 'commit-then-500') return send(res, 503, {}, { error_code: 'TEMPORARILY_UNAVAILABLE', error_messages: ['try later'] });
    if (fault?.mode === 'commit-then-hang') {
      await new Promise((r) => setTimeout(r, this.hangMs));
      if (!res.destroyed) req.socket.destroy();
      return;
    }
    send(res, answer.status, answer.headers, answer.body);
  }

  private route(method: string, path: string, body: Record<string, unknown> | undefined): { status: number; headers: Record<string, string>; body?: unknown } {
    const m = (re: RegExp) => re.exec(path);
    const err = (status: number, code: string, message: string) => ({ status, headers: {}, body: { error_code: code, error_messages: [message], correlation_id: randomUUID() } });
    const ok = (status: number, b?: unknown, headers: Record<string, string> = {}) => ({ status, headers, body: b });
    let g: RegExpExecArray | null;

    if (method === 'POST' && path === '/payments/v1/sessions') {
      const id = randomUUID();
      this.sessions.set(id, { status: 'incomplete', body: body ?? {}, expires_at_ms: this.now() + 2 * day });
      return ok(200, { session_id: id, client_token: `fake.${id}.token`, payment_method_categories: [{ identifier: 'pay_later', name: 'Pay later', asset_urls: { descriptive: 'x', standard: 'y' } }] });
    }
    if ((g = m(/^\/payments\/v1\/sessions\/([^/]+)$/)) && method === 'GET') {
      const s = this.sessions.get(g[1]!);
      if (!s || this.now() >= s.expires_at_ms) return err(404, 'NOT_FOUND', 'Invalid session id');
      return ok(200, { status: s.status, expires_at: new Date(s.expires_at_ms).toISOString(), ...s.body });
    }
    if ((g = m(/^\/payments\/v1\/authorizations\/([^/]+)\/order$/)) && method === 'POST') {
      const t = this.tokens.get(decodeURIComponent(g[1]!));
      if (!t) return err(404, 'NOT_FOUND', 'Invalid authorization token');
      if (t.used) return err(403, 'INVALID_OPERATION', 'Authorization token already consumed');
      if (t.fraud === 'REJECTED') return err(403, 'REJECTED', 'The purchase was rejected');
      t.used = true;
      const session = this.sessions.get(t.sessionId)!;
      session.status = 'complete';
      const amount = Number(body?.order_amount ?? 0);
      const order: FakeOrder = {
        order_id: randomUUID(),
        status: 'AUTHORIZED',
        fraud_status: t.fraud,
        order_amount: amount,
        original_order_amount: amount,
        captured_amount: 0,
        refunded_amount: 0,
        remaining_authorized_amount: amount,
        expires_at: new Date(this.now() + 28 * day).toISOString(),
        order_lines: (body?.order_lines as unknown[]) ?? [],
        captures: [],
        refunds: [],
        shipping_info: [],
        merchant_urls: body?.merchant_urls as Record<string, string>,
      };
      this.orders.set(order.order_id, order);
      return ok(200, { order_id: order.order_id, fraud_status: order.fraud_status, authorized_payment_method: { type: 'invoice' } });
    }
    if ((g = m(/^\/sandbox\/v1\/orders\/([^/]+)\/captures\/([^/]+)\/settlement$/)) && method === 'GET') {
      if (!this.settlementEndpoint) return err(404, 'NOT_FOUND', 'No route');
      const status = this.settlements.get(g[2]!);
      if (!status) return err(404, 'NO_SUCH_CAPTURE', 'No such capture');
      return ok(200, { capture_id: g[2], status });
    }
    if (!(g = m(/^\/ordermanagement\/v1\/orders\/([^/]+)(\/.*)?$/))) return err(404, 'NOT_FOUND', 'No route');
    const order = this.orders.get(g[1]!);
    if (!order) return err(404, 'NO_SUCH_ORDER', 'No such order');
    const rest = g[2] ?? '';
    const fraudOk = order.fraud_status === 'ACCEPTED';
    if (method === 'GET' && rest === '') return ok(200, order);
    if (method === 'POST' && rest === '/cancel') {
      if (order.status !== 'AUTHORIZED' || order.captured_amount > 0) return err(403, 'CANCEL_NOT_ALLOWED', 'Order has previous captures or is not open');
      order.status = 'CANCELLED';
      order.remaining_authorized_amount = 0;
      return ok(204);
    }
    if (method === 'POST' && rest === '/captures') {
      const amount = Number(body?.captured_amount);
      if (!['AUTHORIZED', 'PART_CAPTURED'].includes(order.status) || !fraudOk || amount > order.remaining_authorized_amount) {
        return err(403, 'CAPTURE_NOT_ALLOWED', 'Capture not allowed');
      }
      const capture = { capture_id: randomUUID(), captured_amount: amount, captured_at: new Date(this.now()).toISOString(), ...(typeof body?.reference === 'string' ? { reference: body.reference } : {}) };
      order.captures.push(capture);
      order.captured_amount += amount;
      order.remaining_authorized_amount -= amount;
      order.status = order.remaining_authorized_amount === 0 ? 'CAPTURED' : 'PART_CAPTURED';
      this.settlements.set(capture.capture_id, 'PENDING');
      return ok(201, undefined, { 'capture-id': capture.capture_id, location: `/ordermanagement/v1/orders/${order.order_id}/captures/${capture.capture_id}` });
    }
    if ((g = m(/^\/ordermanagement\/v1\/orders\/[^/]+\/captures\/([^/]+)$/)) && method === 'GET') {
      const capture = order.captures.find((c) => c.capture_id === g![1]);
      return capture ? ok(200, capture) : err(404, 'NO_SUCH_CAPTURE', 'No such capture');
    }
    if (method === 'PATCH' && rest === '/authorization') {
      const amount = Number(body?.order_amount);
      if (this.refuseUpdates || amount < order.captured_amount || !['AUTHORIZED', 'PART_CAPTURED'].includes(order.status)) return err(403, 'NOT_ALLOWED', 'Update not allowed');
      order.remaining_authorized_amount += amount - order.order_amount;
      order.order_amount = amount;
      return ok(204);
    }
    if (method === 'POST' && rest === '/extend-authorization-time') {
      if (!['AUTHORIZED', 'PART_CAPTURED'].includes(order.status)) return err(403, 'NOT_ALLOWED', 'Order is expired. Authorization time cannot be extended.');
      order.expires_at = new Date(this.now() + 28 * day).toISOString();
      return ok(204);
    }
    if (method === 'POST' && rest === '/release-remaining-authorization') {
      if (order.status !== 'PART_CAPTURED') return err(403, 'NOT_ALLOWED', 'Release not allowed');
      order.remaining_authorized_amount = 0;
      order.status = 'CAPTURED';
      return ok(204);
    }
    if (method === 'POST' && rest === '/shipping-info') {
      order.shipping_info.push(...((body?.shipping_info as unknown[]) ?? []));
      return ok(204);
    }
    if (method === 'POST' && rest === '/refunds') {
      const amount = Number(body?.refunded_amount);
      if (order.captured_amount === 0 || amount > order.captured_amount - order.refunded_amount) return err(403, 'REFUND_NOT_ALLOWED', 'Refund not allowed');
      const refund = { refund_id: randomUUID(), refunded_amount: amount, ...(typeof body?.reference === 'string' ? { reference: body.reference } : {}) };
      order.refunds.push(refund);
      order.refunded_amount += amount;
      return ok(201, undefined, { 'refund-id': refund.refund_id, location: `/ordermanagement/v1/orders/${order.order_id}/refunds/${refund.refund_id}` });
    }
    if ((g = m(/^\/ordermanagement\/v1\/orders\/[^/]+\/refunds\/([^/]+)$/)) && method === 'GET') {
      const refund = order.refunds.find((r) => r.refund_id === g![1]);
      return refund ? ok(200, refund) : err(404, 'NOT_FOUND', 'No such refund');
    }
    return err(404, 'NOT_FOUND', 'No route');
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  sendRaw(res, status, headers, body === undefined ? '' : JSON.stringify(body));
}

function sendRaw(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, 'klarna-correlation-id': randomUUID(), ...(body ? { 'content-type': 'application/json' } : {}) });
  res.end(body);
}
