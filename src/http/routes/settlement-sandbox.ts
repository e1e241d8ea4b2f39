/**
 * Sandbox helpers for what happens to captured money after Order Management (provider side):
 * read a capture's settlement, settle it now instead of waiting the account's settlement delay,
 * open a dispute that ends in a chargeback, and set the settlement delay. Settlement and
 * chargeback reach the merchant as notifications (src/app/settlement/settlement.ts).
 */
import { Type } from '@sinclair/typebox';
import {
  dispute,
  peekSettlement,
  settleNow,
  settlementSettingsId,
  settlementSettingsType,
  settlementSettingsView,
  type SettlementSettings,
} from '../../app/settlement/settlement.js';
import { settlementView } from '../../domain/settlement/settlement.js';
import type { App } from '../app.js';
import { basicAuth, requireSandbox } from '../auth.js';
import { runCommand } from '../command.js';
import type { AppDeps } from '../deps.js';
import { IdempotencyHeader, PathId, v1Errors } from '../schemas.js';

const tags = ['sandbox'];
const Params = Type.Object({ order_id: PathId, capture_id: PathId });
const SettlementView = Type.Object(
  {
    order_id: Type.String(),
    capture_id: Type.String(),
    amount: Type.Integer(),
    currency: Type.String(),
    status: Type.Union([Type.Literal('PENDING'), Type.Literal('SETTLED'), Type.Literal('DISPUTED'), Type.Literal('CHARGEBACK')]),
    captured_at: Type.String(),
    settle_at: Type.String(),
    settled_at: Type.Optional(Type.String()),
    disputed_at: Type.Optional(Type.String()),
    dispute_reason: Type.Optional(Type.String()),
    chargeback_due_at: Type.Optional(Type.String()),
    chargeback_at: Type.Optional(Type.String()),
  },
  { description: "A capture's settlement at the provider" },
);
const Settings = Type.Object({ settlement_delay_days: Type.Integer({ minimum: 0, maximum: 365 }) }, { additionalProperties: false });
const base = '/sandbox/v1/orders/:order_id/captures/:capture_id';

export function settlementSandboxRoutes(app: App, deps: AppDeps): void {
  const guards = { onRequest: [requireSandbox(deps)], preHandler: [basicAuth(deps)] };
  const params = (request: { params: unknown }) => request.params as { order_id: string; capture_id: string };

  app.get(
    `${base}/settlement`,
    { ...guards, schema: { tags, summary: "A capture's settlement: PENDING until the settlement delay passes, SETTLED, DISPUTED or CHARGEBACK", params: Params, response: { 200: SettlementView, ...v1Errors(401, 404) } } },
    async (request) => {
      const { order_id, capture_id } = params(request);
      return deps.engine.execute(request.account, request.correlationId, async (uow) => settlementView(await peekSettlement(uow, order_id, capture_id)) as never);
    },
  );

  app.post(
    `${base}/settle`,
    {
      ...guards,
      schema: { tags, summary: 'Settle the captured funds now (notifies CAPTURE_SETTLED)', params: Params, headers: IdempotencyHeader, response: { 200: SettlementView, ...v1Errors(401, 403, 404) } },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        const { order_id, capture_id } = params(request);
        return { status: 200, body: settlementView(await settleNow(uow, order_id, capture_id)) };
      }),
  );

  app.post(
    `${base}/dispute`,
    {
      ...guards,
      schema: {
        tags,
        summary: 'The customer disputes the capture (notifies CAPTURE_DISPUTED); Klarna approves a chargeback after chargeback_after_days (default 0: at once; notifies CAPTURE_CHARGEBACK)',
        params: Params,
        headers: IdempotencyHeader,
        body: Type.Optional(
          Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), chargeback_after_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 180 })) }, { additionalProperties: false }),
        ),
        response: { 200: SettlementView, ...v1Errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        const { order_id, capture_id } = params(request);
        const body = (request.body ?? {}) as { reason?: string; chargeback_after_days?: number };
        return { status: 200, body: settlementView(await dispute(uow, order_id, capture_id, body.reason ?? 'goods_not_received', body.chargeback_after_days ?? 0)) };
      }),
  );

  app.get('/sandbox/v1/settlement-settings', { ...guards, schema: { tags, summary: 'How many days after a capture its funds settle', response: { 200: Settings, ...v1Errors(401) } } }, async (request) =>
    settlementSettingsView((await deps.engine.store.getAggregate<SettlementSettings>(request.account.id, settlementSettingsType, settlementSettingsId))?.state),
  );

  app.put(
    '/sandbox/v1/settlement-settings',
    { ...guards, schema: { tags, summary: 'Set the settlement delay (days after a capture) for new captures', headers: IdempotencyHeader, body: Settings, response: { 200: Settings, ...v1Errors(400, 401) } } },
    async (request, reply) =>
      runCommand(deps, request, reply, async (uow) => {
        const body = request.body as SettlementSettings;
        await uow.load(settlementSettingsType, settlementSettingsId);
        uow.put(settlementSettingsType, settlementSettingsId, body);
        uow.event(settlementSettingsType, settlementSettingsId, 'settlement_settings.changed', { ...body });
        return { status: 200, body: settlementSettingsView(body) };
      }),
  );
}
