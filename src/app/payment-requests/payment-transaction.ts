/**
 * A v2 payment transaction is an order: authorize (APPROVED) places it with placeOrder (source
 * `payment_transaction`), so the Order Management API reads, captures and refunds it like any
 * other order. Its id is a KRN whose last segment is the order id:
 *   payment_transaction_id  krn:payment:eu1:transaction:<uuid>   ->   /ordermanagement/v1/orders/<uuid>
 * The order gets one line per supplementary line item (they add up to the amount), or a single
 * line for the whole amount; the purchase country is the customer's address country when it uses
 * the currency, else the currency's main market; the payment method is the category and plan the
 * customer chose in the purchase journey, else "Pay later in 30 days" (docs/payment-requests.md).
 */
import { authorizedPaymentMethod, type PaymentMethodCategoryId } from '../../domain/decision/payment-methods.js';
import type { JsonObject, OpenOrderInput, OrderLine, OrderState } from '../../domain/order/order-state.js';
import { transactionStateChange, type PaymentTransactionState } from '../../domain/order/payment-transaction-state.js';
import { ids } from '../ids.js';
import { onOrderChanged } from '../orders/order-change-hooks.js';
import { placeOrder, orderType } from '../orders/place-order.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { publishEvent } from '../webhooks/publish.js';
import { countryFor, type LineItem } from './purchase-input.js';

export const paymentTransactionLookup = 'payment_transaction';

export interface TransactionInput {
  amount: number;
  currency: string;
  payment_transaction_reference?: string;
  supplementary_purchase_data?: JsonObject;
  subject?: { email?: string; phone?: string };
  fraud: OpenOrderInput['fraud'];
  /** The category and plan the customer chose in the purchase journey; pay_later when none was chosen. */
  payment_method?: { category: PaymentMethodCategoryId; installments?: number };
  /** Where the customer's consent came from. */
  origin: { payment_request_id: string } | { customer_token_id: string };
}

export function orderIdOf(paymentTransactionId: string): string {
  return paymentTransactionId.slice(paymentTransactionId.lastIndexOf(':') + 1);
}

export function transactionView(order: OrderState, input: Pick<TransactionInput, 'payment_transaction_reference' | 'origin'>, paymentTransactionId: string): JsonObject {
  const view: JsonObject = {
    payment_transaction_id: paymentTransactionId,
    state: 'AUTHORIZED',
    amount: order.order_amount,
    currency: order.purchase_currency,
    created_at: order.created_at,
    expires_at: order.expires_at,
  };
  if (input.payment_transaction_reference !== undefined) view.payment_transaction_reference = input.payment_transaction_reference;
  if ('payment_request_id' in input.origin) view.payment_request_id = input.origin.payment_request_id;
  return view;
}

export async function createPaymentTransaction(uow: UnitOfWork, input: TransactionInput): Promise<JsonObject> {
  const paymentTransactionId = ids.paymentTransaction(uow.ctx.random);
  const orderId = orderIdOf(paymentTransactionId);
  const country = countryFor(input.currency, input.supplementary_purchase_data);
  const method = authorizedPaymentMethod(input.payment_method?.category ?? 'pay_later', input.amount, input.payment_method?.installments);
  const order = placeOrder(uow, {
    orderId,
    klarnaReference: ids.klarnaReference(uow.ctx.random),
    purchase_country: country,
    purchase_currency: input.currency,
    locale: `en-${country}`,
    order_amount: input.amount,
    order_tax_amount: orderLines(input).reduce((s, l) => s + (l.total_tax_amount ?? 0), 0),
    order_lines: orderLines(input),
    merchant_reference1: input.payment_transaction_reference,
    merchant_reference2: typeof input.supplementary_purchase_data?.purchase_reference === 'string' ? input.supplementary_purchase_data.purchase_reference : undefined,
    initial_payment_method: method.initial,
    fraud: input.fraud,
    source: 'payment_transaction',
    sourceId: paymentTransactionId,
    subject: input.subject,
  });
  uow.addLookup(paymentTransactionLookup, paymentTransactionId, orderType, orderId);
  const view = transactionView(order, input, paymentTransactionId);
  await publishEvent(uow, 'payment.transaction.state-change.authorized', view);
  return view;
}

function orderLines(input: TransactionInput): OrderLine[] {
  const items = input.supplementary_purchase_data?.line_items as LineItem[] | undefined;
  if (!items || items.length === 0) {
    return [{ type: 'physical', name: 'Payment', quantity: 1, unit_price: input.amount, total_amount: input.amount, total_tax_amount: 0, tax_rate: 0 }];
  }
  return items.map((i) => ({
    type: 'physical',
    name: i.name,
    quantity: i.quantity,
    unit_price: i.unit_price ?? (i.quantity > 0 ? Math.round(i.total_amount / i.quantity) : i.total_amount),
    total_amount: i.total_amount,
    total_tax_amount: i.total_tax_amount ?? 0,
    ...(i.line_item_reference !== undefined ? { reference: i.line_item_reference } : {}),
    ...(i.product_url !== undefined ? { product_url: i.product_url } : {}),
    ...(i.image_url !== undefined ? { image_url: i.image_url } : {}),
  }));
}

/**
 * An order-change hook (registered below; Order Management runs it in the unit of work of every
 * order change): when the order is a v2 payment transaction and the change moves its transaction
 * state (AUTHORIZED -> COMPLETED, EXPIRED or CLOSED; COMPLETED -> CLOSED), it publishes
 * `payment.transaction.state-change.<state>`, so the webhook commits with the change. Orders from
 * other sources (Payments v1, customer-token orders) publish nothing: they are not v2 transactions,
 * whatever a subscription asks for.
 */
export function publishTransactionChange(uow: UnitOfWork, before: OrderState | undefined, after: OrderState): Promise<void> | undefined {
  // Not async: on every order change that is not a v2 transaction's state change (nearly all of
  // them) it returns nothing, and the hook runner then has nothing to await.
  if (!before || after.internal.source !== 'payment_transaction') return undefined;
  const change = transactionStateChange(before.status, after.status);
  if (!change || change.to === 'AUTHORIZED') return undefined;
  return publishTransactionStateChange(uow, after, change.to.toLowerCase() as Lowercase<Exclude<PaymentTransactionState, 'AUTHORIZED'>>, change.from);
}

/**
 * Publishes `payment.transaction.state-change.<state>` for an order that is a v2 payment
 * transaction (expired, fully captured = completed, closed); orders from other sources publish
 * nothing. Call it in the same unit of work as the order change. The payload is the transaction as
 * the authorize answer showed it, with its new state and the amounts captured and refunded so far.
 */
export async function publishTransactionStateChange(
  uow: UnitOfWork,
  order: OrderState,
  state: 'expired' | 'completed' | 'closed',
  previousState?: PaymentTransactionState,
): Promise<void> {
  if (order.internal.source !== 'payment_transaction') return;
  await publishEvent(uow, `payment.transaction.state-change.${state}`, {
    payment_transaction_id: order.internal.sourceId,
    ...(order.merchant_reference1 !== undefined ? { payment_transaction_reference: order.merchant_reference1 } : {}),
    state: state.toUpperCase(),
    ...(previousState !== undefined ? { previous_state: previousState } : {}),
    amount: order.order_amount,
    captured_amount: order.captured_amount,
    refunded_amount: order.refunded_amount,
    currency: order.purchase_currency,
    updated_at: new Date(uow.now).toISOString(),
  });
}

// Registered once per process when this module is first loaded (the v2 authorize route imports it).
onOrderChanged(publishTransactionChange);
