/**
 * What the dashboard's buttons do: each is the application command the API route runs (the same
 * decide functions through changeOrder, the same settlement, clock and replay commands), executed
 * by the engine in one transaction as the signed-in account. Every form carries a one-time key,
 * committed as an idempotency record with the command (scope `DASHBOARD <action>`), so a double
 * click or a resubmitted form acts once.
 */
import type { FastifyRequest } from 'fastify';
import { concludeFraudReviewNow } from '../app/orders/fraud-review-now.js';
import { captureOrder, refundOrder } from '../app/orders/capture-refund.js';
import { changeOrder } from '../app/orders/manage-order.js';
import { dispute, settleNow } from '../app/settlement/settlement.js';
import type { UnitOfWork } from '../app/unit-of-work.js';
import { KassaError } from '../domain/errors.js';
import { decideCancel, decideExtendAuthorization, decideReleaseRemaining } from '../domain/order/decide-authorization.js';
import type { HttpResult } from '../http/command.js';
import type { AppDeps } from '../http/deps.js';
import { DuplicateKey, type AccountRecord } from '../store/port.js';
import type { MerchantCommand } from '../domain/merchant-order/decide-command.js';

export type Form = Record<string, string>;

const formKeyPattern = /^[A-Za-z0-9_-]{16,64}$/;

/** Runs `command` as `account`; false when this form's key was already used (nothing done again). */
export async function runFormCommand(
  deps: AppDeps,
  request: FastifyRequest,
  account: AccountRecord,
  action: string,
  form: Form,
  command: (uow: UnitOfWork) => Promise<HttpResult | void>,
): Promise<{ ran: boolean; result?: HttpResult }> {
  const key = form._key && formKeyPattern.test(form._key) ? `dashboard:${form._key}` : undefined;
  if (key && (await deps.engine.store.getIdempotency(account.id, key))) return { ran: false };
  try {
    const result = await deps.engine.execute(account, request.correlationId, async (uow) => (await command(uow)) ?? { status: 200 }, {
      idempotency: key ? (r, now) => ({ accountId: account.id, key, scope: `DASHBOARD ${action}`, statusCode: r.status, headers: {}, body: '', createdAt: now }) : undefined,
    });
    await result.afterCommit?.();
    return { ran: true, result };
  } catch (error) {
    if (error instanceof DuplicateKey && error.what === 'idempotency') return { ran: false };
    throw error;
  }
}

/** A positive whole number of minor units from a form field, or 400 naming the field. */
export function amountField(form: Form, name: string): number {
  const raw = (form[name] ?? '').trim();
  if (!/^[0-9]{1,12}$/.test(raw) || Number(raw) < 1) throw new KassaError('BAD_VALUE', [`Bad value: ${name} (a whole number of minor units, at least 1)`]);
  return Number(raw);
}

function optionalText(form: Form, name: string): string | undefined {
  const v = (form[name] ?? '').trim();
  if (v.length > 255) throw new KassaError('BAD_VALUE', [`Bad value: ${name} (at most 255 characters)`]);
  return v || undefined;
}

/** Order actions by URL segment; `sandbox` ones exist only in sandbox mode. */
export const orderActions: Record<string, { sandbox: boolean; done: string; run: (uow: UnitOfWork, orderId: string, form: Form, params: Record<string, string>) => Promise<void> }> = {
  capture: {
    sandbox: false,
    done: 'captured',
    run: async (uow, orderId, form) => {
      const body = { captured_amount: amountField(form, 'amount'), description: optionalText(form, 'description') };
      await captureOrder(uow, orderId, body);
    },
  },
  refund: {
    sandbox: false,
    done: 'refunded',
    run: async (uow, orderId, form) => {
      const body = { refunded_amount: amountField(form, 'amount'), description: optionalText(form, 'description') };
      await refundOrder(uow, orderId, body);
    },
  },
  cancel: { sandbox: false, done: 'cancelled', run: async (uow, orderId) => void (await changeOrder(uow, orderId, decideCancel)) },
  extend: { sandbox: false, done: 'extended', run: async (uow, orderId) => void (await changeOrder(uow, orderId, (order) => decideExtendAuthorization(order, { now: uow.now }))) },
  release: { sandbox: false, done: 'released', run: async (uow, orderId) => void (await changeOrder(uow, orderId, decideReleaseRemaining)) },
  'fraud-review/accept': { sandbox: true, done: 'accepted', run: async (uow, orderId) => void (await concludeFraudReviewNow(uow, orderId, 'ACCEPTED')) },
  'fraud-review/reject': { sandbox: true, done: 'rejected', run: async (uow, orderId) => void (await concludeFraudReviewNow(uow, orderId, 'REJECTED')) },
  'captures/:capture_id/settle': { sandbox: true, done: 'settled', run: async (uow, orderId, _form, params) => void (await settleNow(uow, orderId, params.capture_id!)) },
  'captures/:capture_id/dispute': {
    sandbox: true,
    done: 'disputed',
    run: async (uow, orderId, _form, params) => void (await dispute(uow, orderId, params.capture_id!, 'goods_not_received', 0)),
  },
};

/**
 * Merchant-order actions (the merchant role's commands, as /merchant/v1/orders/{id}/… runs them):
 * the command is committed, then the order's due steps run against the provider (drive), as the
 * API does before answering.
 */
export const merchantOrderActions: Record<string, { done: string; command: (form: Form) => MerchantCommand }> = {
  ship: { done: 'shipped', command: () => ({ type: 'ship', shipping_info: [] }) },
  capture: { done: 'captured', command: (form) => ({ type: 'capture', captured_amount: amountField(form, 'amount'), description: optionalText(form, 'description') }) },
  refund: { done: 'refunded', command: (form) => ({ type: 'refund', refunded_amount: amountField(form, 'amount'), description: optionalText(form, 'description') }) },
  extend: { done: 'extended', command: () => ({ type: 'extend' }) },
  close: { done: 'released', command: () => ({ type: 'close' }) },
  cancel: { done: 'cancelled', command: () => ({ type: 'cancel' }) },
  check: { done: 'checked', command: () => ({ type: 'check' }) },
};

export const doneMessages: Record<string, string> = {
  captured: 'Captured.',
  refunded: 'Refunded.',
  cancelled: 'Order cancelled.',
  extended: 'Authorization extended.',
  released: 'Remaining authorization released.',
  accepted: 'Fraud review accepted.',
  rejected: 'Fraud review rejected: the order is cancelled.',
  settled: 'Capture settled.',
  disputed: 'Capture disputed; the chargeback was approved.',
  replayed: 'Delivery replayed: this is the new delivery.',
  advanced: 'Clock advanced.',
  shipped: 'Marked shipped.',
  checked: 'Status checked at the provider.',
  repeated: 'That form was already submitted; nothing was done twice.',
};
