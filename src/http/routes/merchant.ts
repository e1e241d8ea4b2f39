/**
 * The merchant API (/merchant/v1): Kassa's merchant role. A merchant starts a checkout for a cart
 * (Kassa creates the Klarna session at the configured provider and answers what the page needs
 * for the JS SDK), places the order from the authorization token, ships, captures, updates the
 * cart, refunds, cancels, extends the shipping period, closes, and reads the order with its
 * statuses (MultiSafepay's pair, Cybersource's per request) and its full timeline.
 *
 * Every mutating route is one `runCommand` (idempotency under the caller's Klarna-Idempotency-Key):
 * inside it, the intent is committed first as its own command, then the order's due steps run
 * (outbound calls happen outside any transaction, each outcome committed as a new command), and
 * the answer is the order as it then stands. A provider that does not answer leaves the step
 * pending with a retry on the account clock; the answer shows it in `pending_steps`.
 *
 * POST /merchant/v1/notifications/{token} is where the provider's notifications for an order
 * arrive (merchant_urls.notification). The token is the credential; the body is only a hint.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { merchantRuntimeFor, lookupKinds } from '../../app/merchant/merchant-runtime.js';
import {
  connectionView,
  merchantConnectionType,
  merchantProfileId,
  merchantProfileType,
  settingsView,
  type MerchantConnectionRecord,
  type MerchantProfile,
  type SettingsSeconds,
} from '../../app/merchant/merchant-profile.js';
import { orderView, requestView } from '../../app/merchant/merchant-view.js';
import { isRejection, KassaError, orThrow } from '../../domain/errors.js';
import { checkOutboundUrl } from '../../domain/outbound/outbound-url.js';
import { checkCart, type MerchantCommand } from '../../domain/merchant-order/decide-command.js';
import { merchantOrderType, type Cart, type MerchantOrder } from '../../domain/merchant-order/merchant-order-state.js';
import type { OrderLine, ShippingInfo } from '../../domain/order/order-state.js';
import type { App } from '../app.js';
import { basicAuth, parseBasic } from '../auth.js';
import { idempotencyKeyOf, runCommand } from '../command.js';
import type { AppDeps } from '../deps.js';
import { Empty, IdempotencyHeader, PathId, v1Errors } from '../schemas.js';
import {
  AuthorizeBody,
  CaptureBody,
  CartBody,
  CheckoutBody,
  ConnectionBody,
  ConnectionView,
  EmptyBody,
  NotificationBody,
  OrderView,
  RefundBody,
  RequestView,
  SettingsBody,
  SettingsView,
  ShipBody,
} from './merchant-schemas.js';

const tags = ['merchant'];
const OrderParams = Type.Object({ order_id: PathId });
const RequestParams = Type.Object({ request_id: PathId });

export function merchantRoutes(app: App, deps: AppDeps): void {
  const rt = merchantRuntimeFor(deps);
  const store = deps.engine.store;
  const auth = { preHandler: [basicAuth(deps)] };
  app.addHook('onClose', async () => rt.idle());

  async function view(accountId: string, orderId: string): Promise<Record<string, unknown>> {
    const record = await store.getAggregate<MerchantOrder>(accountId, merchantOrderType, orderId);
    if (!record) throw new KassaError('NOT_FOUND', ['No such order']);
    return orderView(record.state, await store.listEvents(accountId, merchantOrderType, orderId));
  }

  /** Commits the command, runs the order's due steps, answers with the order. */
  async function act(request: FastifyRequest, reply: FastifyReply, orderId: string, command: MerchantCommand, answer?: (order: Record<string, unknown>) => Record<string, unknown>) {
    const clientKey = idempotencyKeyOf(request);
    return runCommand(deps, request, reply, async () => {
      await deps.engine.execute(request.account, request.correlationId, (uow) => rt.command(uow, orderId, command, clientKey));
      await rt.drive(request.account, orderId);
      const body = await view(request.account.id, orderId);
      return { status: 200, body: answer ? answer(body) : body };
    });
  }

  const orderRoute = (summary: string, body: unknown = EmptyBody) => ({
    ...auth,
    schema: { tags, summary, params: OrderParams, headers: IdempotencyHeader, ...(body ? { body } : {}), response: { 200: OrderView, ...v1Errors(400, 401, 403, 404, 409) } },
  });

  // ---- connection and settings -----------------------------------------------------------

  app.get(
    '/merchant/v1/connection',
    { ...auth, schema: { tags, summary: 'The provider the merchant role talks to (never the password)', response: { 200: ConnectionView, ...v1Errors(401) } } },
    async (request) => {
      const profile = await store.getAggregate<MerchantProfile>(request.account.id, merchantProfileType, merchantProfileId);
      const id = profile?.state.connection_id;
      const record = id ? await store.getAggregate<MerchantConnectionRecord>(request.account.id, merchantConnectionType, id) : undefined;
      if (record) return connectionView(record.state);
      return { connection_id: '', base_url: deps.config.publicUrl, username: request.account.username, source: 'default' as const, created_at: '' };
    },
  );

  app.put(
    '/merchant/v1/connection',
    {
      ...auth,
      schema: {
        tags,
        summary: 'Point the merchant role at a Klarna-compatible base URL with Basic credentials (new orders use it)',
        headers: IdempotencyHeader,
        body: ConnectionBody,
        response: { 200: ConnectionView, ...v1Errors(400, 401) },
      },
    },
    async (request, reply) => {
      const body = request.body as { base_url: string; username: string; password: string };
      // Kassa sends Basic credentials there: the rule for every outbound URL applies
      // (src/domain/outbound/outbound-url.ts), and it is checked again when each call connects.
      const checked = checkOutboundUrl(body.base_url, deps.config.outbound, 'base_url');
      if (isRejection(checked)) throw KassaError.from(checked);
      const url = checked.url;
      if (url.search || url.hash) {
        throw new KassaError('BAD_VALUE', ['Bad value: base_url (an http(s) URL without credentials, query or fragment)']);
      }
      const box = await rt.box();
      return runCommand(deps, request, reply, async (uow) => {
        const id = uow.ctx.random.uuid();
        const record: MerchantConnectionRecord = {
          connection_id: id,
          base_url: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
          username: body.username,
          password_sealed: box.seal(body.password),
          source: 'configured',
          created_at: new Date(uow.now).toISOString(),
        };
        const profile = await uow.load<MerchantProfile>(merchantProfileType, merchantProfileId);
        uow.put(merchantConnectionType, id, record);
        uow.put(merchantProfileType, merchantProfileId, { settings: {}, ...profile, connection_id: id } satisfies MerchantProfile);
        uow.event(merchantProfileType, merchantProfileId, 'merchant_connection.configured', { connection_id: id, base_url: record.base_url, username: record.username });
        return { status: 200, body: connectionView(record) };
      });
    },
  );

  app.delete(
    '/merchant/v1/connection',
    { ...auth, schema: { tags, summary: 'Go back to the default connection (this Kassa, your own credentials) for new orders', headers: IdempotencyHeader, response: { 204: Empty, ...v1Errors(401) } } },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        const profile = await uow.load<MerchantProfile>(merchantProfileType, merchantProfileId);
        if (profile?.connection_id) {
          uow.put(merchantProfileType, merchantProfileId, { settings: profile.settings } satisfies MerchantProfile);
          uow.event(merchantProfileType, merchantProfileId, 'merchant_connection.reset', {});
        }
        return { status: 204 };
      }),
  );

  app.get('/merchant/v1/settings', { ...auth, schema: { tags, summary: 'Merchant workflow settings', response: { 200: SettingsView, ...v1Errors(401) } } }, async (request) =>
    settingsView((await store.getAggregate<MerchantProfile>(request.account.id, merchantProfileType, merchantProfileId))?.state),
  );

  app.put(
    '/merchant/v1/settings',
    {
      ...auth,
      schema: {
        tags,
        summary: 'Change workflow settings: re-check interval while Klarna reviews (default 2 h), capture on shipment, settlement poll, payout delay',
        headers: IdempotencyHeader,
        body: SettingsBody,
        response: { 200: SettingsView, ...v1Errors(400, 401) },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        const profile = await uow.load<MerchantProfile>(merchantProfileType, merchantProfileId);
        const settings = { ...(profile?.settings ?? {}), ...(request.body as Partial<SettingsSeconds>) };
        uow.put(merchantProfileType, merchantProfileId, { ...profile, settings } satisfies MerchantProfile);
        uow.event(merchantProfileType, merchantProfileId, 'merchant_settings.changed', settings);
        return { status: 200, body: settingsView({ settings }) };
      }),
  );

  // ---- orders ----------------------------------------------------------------------------

  app.post(
    '/merchant/v1/orders',
    {
      ...auth,
      schema: {
        tags,
        summary: 'Start a checkout for a cart: creates the Klarna session; answers session_id, client_token and payment_method_categories for the JS SDK',
        headers: IdempotencyHeader,
        body: CheckoutBody,
        response: { 201: OrderView, ...v1Errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const b = request.body as Omit<Cart, 'locale'> & { locale?: string };
      const cart: Cart = { ...b, purchase_country: b.purchase_country.toUpperCase(), purchase_currency: b.purchase_currency.toUpperCase(), locale: b.locale ?? 'en-US' };
      const bad = checkCart(cart);
      if (bad) orThrow(bad);
      const clientKey = idempotencyKeyOf(request);
      const credentials = parseBasic(request.headers.authorization);
      return runCommand(deps, request, reply, async () => {
        const orderId = await deps.engine.execute(request.account, request.correlationId, (uow) => rt.openCheckout(uow, cart, credentials, clientKey));
        await rt.drive(request.account, orderId);
        return { status: 201, headers: { location: `/merchant/v1/orders/${orderId}` }, body: await view(request.account.id, orderId) };
      });
    },
  );

  app.get(
    '/merchant/v1/orders/:order_id',
    { ...auth, schema: { tags, summary: 'An order with its statuses, requests and full timeline', params: OrderParams, response: { 200: OrderView, ...v1Errors(401, 404) } } },
    // The view is built from the stored order; its schema documents it (and keeps extra fields).
    async (request) => (await view(request.account.id, (request.params as { order_id: string }).order_id)) as never,
  );

  const id = (request: FastifyRequest) => (request.params as { order_id: string }).order_id;

  app.post('/merchant/v1/orders/:order_id/authorize', orderRoute('Place the order from the authorization token (pre-check: reserves the amount; then check the order status)', AuthorizeBody), async (request, reply) =>
    act(request, reply, id(request), { type: 'authorize', authorization_token: (request.body as { authorization_token: string }).authorization_token }),
  );

  app.post('/merchant/v1/orders/:order_id/checkout', orderRoute('Start a new Klarna session after the previous session request failed'), async (request, reply) =>
    act(request, reply, id(request), { type: 'retry_checkout' }),
  );

  app.post('/merchant/v1/orders/:order_id/ship', orderRoute('Mark shipped (with shipping info); captures what is left unless capture is false', ShipBody), async (request, reply) => {
    const b = (request.body ?? {}) as { shipping_info?: ShippingInfo[]; capture?: boolean; captured_amount?: number; order_lines?: OrderLine[]; description?: string };
    return act(request, reply, id(request), { type: 'ship', shipping_info: b.shipping_info ?? [], capture: b.capture, captured_amount: b.captured_amount, order_lines: b.order_lines, description: b.description });
  });

  app.post('/merchant/v1/orders/:order_id/captures', orderRoute('Capture (partial allowed)', CaptureBody), async (request, reply) => {
    const b = request.body as { captured_amount: number; order_lines?: OrderLine[]; shipping_info?: ShippingInfo[]; description?: string };
    return act(request, reply, id(request), { type: 'capture', ...b });
  });

  app.put('/merchant/v1/orders/:order_id/cart', orderRoute("Change the merchant's order (amount and lines); a later capture updates the reservation if it has to", CartBody), async (request, reply) => {
    const b = request.body as { order_amount: number; order_tax_amount: number; order_lines: OrderLine[] };
    return act(request, reply, id(request), { type: 'update_cart', ...b });
  });

  app.post('/merchant/v1/orders/:order_id/refunds', orderRoute('Refund (partial, several)', RefundBody), async (request, reply) => {
    const b = request.body as { refunded_amount: number; description?: string; order_lines?: OrderLine[] };
    return act(request, reply, id(request), { type: 'refund', ...b });
  });

  app.post('/merchant/v1/orders/:order_id/cancel', orderRoute('Cancel the order (reverses the authorization)'), async (request, reply) => act(request, reply, id(request), { type: 'cancel' }));

  app.post('/merchant/v1/orders/:order_id/extend', orderRoute('Extend the shipping period (the authorization time)'), async (request, reply) => act(request, reply, id(request), { type: 'extend' }));

  app.post('/merchant/v1/orders/:order_id/close', orderRoute('Close a partly captured order: release the remaining authorization'), async (request, reply) =>
    act(request, reply, id(request), { type: 'close' }),
  );

  app.post('/merchant/v1/orders/:order_id/check', orderRoute('Check the order status at the provider now'), async (request, reply) => act(request, reply, id(request), { type: 'check' }));

  // ---- requests (Cybersource-style, checkable by id) -------------------------------------

  async function requestOrder(accountId: string, requestId: string): Promise<MerchantOrder> {
    const found = await store.findLookup(lookupKinds.request, requestId);
    const record = found && found.accountId === accountId ? await store.getAggregate<MerchantOrder>(accountId, merchantOrderType, found.id) : undefined;
    if (!record) throw new KassaError('NOT_FOUND', ['No such request']);
    return record.state;
  }

  app.get(
    '/merchant/v1/requests/:request_id',
    { ...auth, schema: { tags, summary: 'One outbound request with its status', params: RequestParams, response: { 200: RequestView, ...v1Errors(401, 404) } } },
    async (request) => {
      const requestId = (request.params as { request_id: string }).request_id;
      const order = await requestOrder(request.account.id, requestId);
      const entry = order.requests.find((r) => r.request_id === requestId);
      if (!entry) throw new KassaError('NOT_FOUND', ['No such request (old status checks leave a full request log first)']);
      return requestView(order, entry) as never;
    },
  );

  app.post(
    '/merchant/v1/requests/:request_id/check',
    {
      ...auth,
      schema: {
        tags,
        summary: "Check a request's status at the provider now (a capture: its settlement or chargeback; a refund: whether it exists); answers the check request",
        params: RequestParams,
        headers: IdempotencyHeader,
        body: EmptyBody,
        response: { 200: RequestView, ...v1Errors(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const requestId = (request.params as { request_id: string }).request_id;
      const order = await requestOrder(request.account.id, requestId);
      return act(request, reply, order.order_id, { type: 'check', request_id: requestId }, (body) => {
        const requests = body.requests as { checks_request_id?: string }[];
        return [...requests].reverse().find((r) => r.checks_request_id === requestId) as Record<string, unknown>;
      });
    },
  );

  // ---- notifications from the provider ---------------------------------------------------

  app.post(
    '/merchant/v1/notifications/:token',
    {
      schema: {
        tags,
        summary: "The order's merchant_urls.notification: FRAUD_RISK_*, CAPTURE_SETTLED / CAPTURE_DISPUTED / CAPTURE_CHARGEBACK, or a v2 webhook envelope. Each is a hint: Kassa reads the order back.",
        security: [],
        params: Type.Object({ token: PathId }),
        body: NotificationBody,
        response: { 200: Type.Object({ status: Type.Literal('received') }), ...v1Errors(400, 404) },
      },
    },
    async (request, reply) => {
      const token = (request.params as { token: string }).token;
      const found = await store.findLookup(lookupKinds.notification, token);
      const account = found ? await store.getAccount(found.accountId) : undefined;
      if (!found || !account) throw new KassaError('NOT_FOUND', ['Unknown notification URL']);
      request.account = account;
      const b = request.body as Record<string, unknown> & { metadata?: Record<string, unknown>; payload?: Record<string, unknown> };
      const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
      const command: MerchantCommand = {
        type: 'notification',
        event_type: text(b.event_type) ?? text(b.metadata?.event_type),
        klarna_order_id: text(b.order_id) ?? text(b.payload?.order_id),
        klarna_capture_id: text(b.capture_id) ?? text(b.payload?.capture_id),
        authorization_token: text(b.authorization_token),
      };
      const answer = await runCommand(deps, request, reply, async (uow) => {
        await rt.command(uow, found.id, command);
        return { status: 200, body: { status: 'received' } };
      });
      rt.kick(account, found.id);
      return answer;
    },
  );
}
