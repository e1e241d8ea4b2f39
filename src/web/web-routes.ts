/**
 * The consumer side Kassa serves to browsers (docs/js-sdk.md, docs/journey.md):
 * - GET /kp/lib/v1/api.js — the Klarna Payments JS SDK emulation (window.Klarna.Payments);
 * - GET /kp/v1/widget — the payment-method widget load() puts in the merchant's container;
 * - GET /kp/v1/journey/{kind} — the purchase journey page authorize() (or a redirect) opens;
 * - GET /kp/v1/static/{file} — their scripts and styles;
 * - GET /assets/{category}/{descriptive|standard}.svg — the payment method category images named
 *   in sessions' `asset_urls`.
 * None of these needs credentials: the pages hold the session's client_token and call the journey
 * endpoints (journey-routes.ts) with it.
 */
import { Type } from '@sinclair/typebox';
import { KassaError } from '../domain/errors.js';
import type { App } from '../http/app.js';
import type { AppDeps } from '../http/deps.js';
import { findJourneySubject } from './journey/journey-subjects.js';
import { sendStatic } from './static-files.js';

const hidden = { hide: true } as const;

export function webRoutes(app: App, _deps: AppDeps): void {
  app.get('/kp/lib/v1/api.js', { schema: hidden }, async (_request, reply) => sendStatic(reply, 'sdk', 'api.js'));

  app.get('/kp/v1/widget', { schema: hidden }, async (_request, reply) => sendStatic(reply, '', 'widget.html'));

  app.get('/kp/v1/journey/:kind', { schema: { ...hidden, params: Type.Object({ kind: Type.String({ maxLength: 50 }) }) } }, async (request, reply) => {
    if (!findJourneySubject(request.params.kind)) throw new KassaError('ROUTE_NOT_FOUND', [`No purchase journey for ${request.params.kind}`]);
    return sendStatic(reply, '', 'journey.html');
  });

  app.get('/kp/v1/static/:file', { schema: { ...hidden, params: Type.Object({ file: Type.String({ maxLength: 100 }) }) } }, async (request, reply) =>
    sendStatic(reply, '', request.params.file),
  );

  app.get(
    '/assets/:category/:variant',
    { schema: { ...hidden, params: Type.Object({ category: Type.String({ maxLength: 50 }), variant: Type.String({ maxLength: 50 }) }) } },
    async (request, reply) => {
      // One image per category (static/assets/<category>.svg) serves both variants.
      const { category, variant } = request.params;
      if (variant !== 'descriptive.svg' && variant !== 'standard.svg') throw new KassaError('ROUTE_NOT_FOUND', [`No asset ${category}/${variant}`]);
      return sendStatic(reply, 'assets', `${category}.svg`);
    },
  );
}
