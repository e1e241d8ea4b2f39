/**
 * The demo shop (sandbox only): a tiny merchant a newcomer opens right after `npm start`, and the
 * reference integration of docs/js-sdk.md.
 *
 *   GET  /demo/checkout              cart, details, "Pay with Klarna", the widget, authorize()
 *   GET  /demo/confirmation?order_id the order as Order Management reports it, and what can follow
 *   POST /demo/api/quote             cart -> order data (the shop prices carts, never the browser)
 *   POST /demo/api/sessions          cart -> POST /payments/v1/sessions -> client_token
 *   POST /demo/api/orders            cart + authorization_token -> POST /payments/v1/authorizations/{token}/order
 *   GET  /demo/api/orders/{order_id} GET /ordermanagement/v1/orders/{order_id}, plus the shop's credentials
 *
 * The shop backend is stateless: the browser keeps the cart and sends it back, and the shop prices
 * it again from its catalogue for the order. Klarna's answers (errors included) are relayed as they
 * are, so the page shows what a real integration would see.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../http/app.js';
import { requireSandbox } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { PathId } from '../../http/schemas.js';
import { sendStatic } from '../static-files.js';
import { demoShopCredentials, klarnaClient, type KlarnaResponse } from './demo-merchant.js';
import { catalogue, defaultCart, priceCart, quantityMax } from './demo-shop.js';

const Cart = Type.Array(Type.Object({ sku: Type.String({ maxLength: 20 }), quantity: Type.Integer({ minimum: 0, maximum: quantityMax }) }), { maxItems: 20 });
const hidden = { hide: true } as const;

function relay(reply: FastifyReply, res: KlarnaResponse, ok: (body: any) => unknown): FastifyReply {
  if (res.status >= 400) return reply.code(res.status).send(res.body);
  return reply.code(200).send(ok(res.body));
}

export function demoRoutes(app: App, deps: AppDeps): void {
  const guard = { onRequest: [requireSandbox(deps)] };
  const client = async () => klarnaClient(app as unknown as FastifyInstance, await demoShopCredentials(deps));

  app.get('/demo', { ...guard, schema: hidden }, async (_request, reply) => reply.redirect('/demo/checkout', 302));
  app.get('/demo/checkout', { ...guard, schema: hidden }, async (_request, reply) => sendStatic(reply, 'demo', 'checkout.html'));
  app.get('/demo/confirmation', { ...guard, schema: hidden }, async (_request, reply) => sendStatic(reply, 'demo', 'confirmation.html'));
  app.get('/demo/static/:file', { ...guard, schema: { ...hidden, params: Type.Object({ file: Type.String({ maxLength: 100 }) }) } }, async (request, reply) =>
    sendStatic(reply, 'demo', request.params.file),
  );

  app.get('/demo/api/catalogue', { ...guard, schema: hidden }, async () => ({
    products: catalogue,
    cart: catalogue.map((p) => ({ sku: p.sku, quantity: defaultCart[p.sku] ?? 0 })),
  }));

  app.post('/demo/api/quote', { ...guard, schema: { ...hidden, body: Type.Object({ cart: Cart }) } }, async (request) => priceCart(request.body.cart));

  app.post('/demo/api/sessions', { ...guard, schema: { ...hidden, body: Type.Object({ cart: Cart }) } }, async (request, reply) => {
    const order = priceCart(request.body.cart);
    const merchantReference = `KO-${deps.engine.random.token(6).replace(/[^A-Za-z0-9]/g, 'X').toUpperCase()}`;
    const call = await client();
    const res = await call('POST', '/payments/v1/sessions', { ...order, merchant_reference1: merchantReference });
    return relay(reply, res, (body) => ({ ...body, merchant_reference1: merchantReference }));
  });

  app.post(
    '/demo/api/orders',
    {
      ...guard,
      schema: { ...hidden, body: Type.Object({ cart: Cart, authorization_token: PathId, merchant_reference1: Type.Optional(Type.String({ maxLength: 255 })) }) },
    },
    async (request, reply) => {
      const { cart, authorization_token: token, merchant_reference1 } = request.body;
      const order = priceCart(cart);
      const call = await client();
      const res = await call('POST', `/payments/v1/authorizations/${encodeURIComponent(token)}/order`, { ...order, ...(merchant_reference1 ? { merchant_reference1 } : {}) });
      return relay(reply, res, (body) => body);
    },
  );

  app.get('/demo/api/orders/:order_id', { ...guard, schema: { ...hidden, params: Type.Object({ order_id: PathId }) } }, async (request, reply) => {
    const credentials = await demoShopCredentials(deps);
    const call = klarnaClient(app as unknown as FastifyInstance, credentials);
    const res = await call('GET', `/ordermanagement/v1/orders/${encodeURIComponent(request.params.order_id)}`);
    return relay(reply, res, (order) => ({ order, credentials: { username: credentials.username, password: credentials.password } }));
  });
}
