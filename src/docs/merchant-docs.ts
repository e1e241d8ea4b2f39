/**
 * The generated parts of docs/merchant-role.md: the merchant order and capture settlement
 * diagrams (from their transition tables) and the request-status table (from the code that sets
 * the statuses). They are generated blocks (generated-blocks.ts): `npm run docs` rewrites them and
 * the docs test fails when they are stale.
 */
import { toMermaid } from '../domain/machine.js';
import { merchantOrderMachine } from '../domain/merchant-order/merchant-order-machine.js';
import { requestStatusesByKind } from '../domain/merchant-order/status-views.js';
import { settlementMachine } from '../domain/settlement/settlement.js';

/** The outbound call behind each request kind (src/app/merchant/klarna-client.ts). */
const callOf: Record<keyof typeof requestStatusesByKind, string> = {
  session: 'POST /payments/v1/sessions',
  authorization: 'POST /payments/v1/authorizations/{token}/order',
  check_status: 'GET /ordermanagement/v1/orders/{id} (before an order: GET /payments/v1/sessions/{id})',
  reversal: 'POST /ordermanagement/v1/orders/{id}/cancel, or …/release-remaining-authorization (close)',
  capture: 'POST /ordermanagement/v1/orders/{id}/captures',
  capture_status: 'GET …/captures/{capture_id} (+ Kassa: GET /sandbox/v1/orders/{id}/captures/{capture_id}/settlement)',
  refund: 'POST /ordermanagement/v1/orders/{id}/refunds',
  refund_status: 'GET /ordermanagement/v1/orders/{id}/refunds/{refund_id}',
  update_authorization: 'PATCH /ordermanagement/v1/orders/{id}/authorization',
  extend_authorization: 'POST /ordermanagement/v1/orders/{id}/extend-authorization-time',
  shipping_info: 'POST /ordermanagement/v1/orders/{id}/shipping-info',
};

const requestRows = () =>
  Object.entries(requestStatusesByKind).map(([kind, statuses]) => `| \`${kind}\` | ${callOf[kind as keyof typeof callOf]} | ${statuses.map((s) => `\`${s}\``).join(', ')} |`);

/** Blocks of docs/merchant-role.md, registered in generated-blocks.ts. */
export const merchantDocBlocks: Record<string, () => string> = {
  'merchant-machine': () => ['```mermaid', toMermaid(merchantOrderMachine).trimEnd(), '```'].join('\n'),
  'settlement-machine': () => ['```mermaid', toMermaid(settlementMachine).trimEnd(), '```'].join('\n'),
  'request-statuses': () => ['| request kind | outbound call | statuses |', '|---|---|---|', ...requestRows()].join('\n'),
};
