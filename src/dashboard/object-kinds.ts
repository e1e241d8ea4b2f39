/**
 * The kinds of object the dashboard lists and shows: where each is stored (aggregate type), its
 * state machine, and how to read its state, references, customer email and amount from the stored
 * document, for lists, filters and search. One entry per kind; the URL segment names it.
 */
import type { Machine } from '../domain/machine.js';
import { machines } from '../domain/machines.js';
import type { CustomerTokenState } from '../domain/customer-token/customer-token-state.js';
import type { MerchantOrder } from '../domain/merchant-order/merchant-order-state.js';
import type { OrderState } from '../domain/order/order-state.js';
import type { PaymentRequestState } from '../domain/payment-request/payment-request-state.js';
import type { SessionState } from '../domain/session/session-state.js';

export interface ObjectKind<T = any> {
  /** URL segment: /dashboard/<slug>. */
  slug: string;
  /** Aggregate type in the store. */
  type: string;
  title: string;
  singular: string;
  machine: Machine<string, string>;
  state(o: T): string;
  /** Merchant and Klarna references, searchable. */
  references(o: T): string[];
  /** Customer email(s), searchable. */
  emails(o: T): string[];
  amount(o: T): { amount: number; currency: string } | undefined;
}

const machine = (name: string): Machine<string, string> => {
  const m = machines.find((x) => x.name === name);
  if (!m) throw new Error(`no state machine named ${name}`);
  return m;
};

const str = (v: unknown): string[] => (typeof v === 'string' && v ? [v] : []);
const emailOf = (o: { billing_address?: unknown; shipping_address?: unknown; customer?: unknown } | undefined): string[] => [
  ...str((o?.billing_address as { email?: unknown } | undefined)?.email),
  ...str((o?.shipping_address as { email?: unknown } | undefined)?.email),
];

const sessions: ObjectKind<SessionState> = {
  slug: 'sessions',
  type: 'session',
  title: 'Payment sessions',
  singular: 'Payment session',
  machine: machine('session'),
  state: (s) => s.status,
  references: (s) => [...str(s.merchant_reference1), ...str(s.merchant_reference2)],
  emails: (s) => emailOf(s),
  amount: (s) => ({ amount: s.order_amount, currency: s.purchase_currency }),
};

const orders: ObjectKind<OrderState> = {
  slug: 'orders',
  type: 'order',
  title: 'Orders',
  singular: 'Order',
  machine: machine('order'),
  state: (o) => o.status,
  references: (o) => [...str(o.merchant_reference1), ...str(o.merchant_reference2), ...str(o.klarna_reference)],
  emails: (o) => [...emailOf(o), ...str(o.internal.subject?.email)],
  amount: (o) => ({ amount: o.order_amount, currency: o.purchase_currency }),
};

const customerTokens: ObjectKind<CustomerTokenState> = {
  slug: 'customer-tokens',
  type: 'customer_token',
  title: 'Customer tokens',
  singular: 'Customer token',
  machine: machine('customer_token'),
  state: (c) => c.status,
  references: (c) => [...str(c.description), ...str(c.internal.sessionId)],
  emails: (c) => [...emailOf(c), ...str(c.internal.subject?.email)],
  amount: () => undefined,
};

const paymentRequests: ObjectKind<PaymentRequestState> = {
  slug: 'payment-requests',
  type: 'payment_request',
  title: 'Payment requests',
  singular: 'Payment request',
  machine: machine('payment request'),
  state: (p) => p.state,
  references: (p) => [...str(p.payment_request_reference), ...str(p.internal.payment_transaction_reference)],
  emails: (p) => [...str(p.internal.subject?.email), ...str((p.klarna_customer as { email?: unknown } | undefined)?.email)],
  amount: (p) => ({ amount: p.amount, currency: p.currency }),
};

const merchantOrders: ObjectKind<MerchantOrder> = {
  slug: 'merchant-orders',
  type: 'merchant_order',
  title: 'Merchant orders',
  singular: 'Merchant order',
  machine: machine('merchant_order'),
  state: (m) => m.status,
  references: (m) => [...str(m.cart.merchant_reference1), ...str(m.cart.merchant_reference2), ...str(m.klarna.order_id), ...str(m.session?.session_id)],
  emails: (m) => emailOf(m.cart),
  amount: (m) => ({ amount: m.cart.order_amount, currency: m.cart.purchase_currency }),
};

export const objectKinds: readonly ObjectKind[] = [orders, sessions, paymentRequests, customerTokens, merchantOrders];

export function kindBySlug(slug: string): ObjectKind | undefined {
  return objectKinds.find((k) => k.slug === slug);
}

export function kindByType(type: string): ObjectKind | undefined {
  return objectKinds.find((k) => k.type === type);
}

/** The id the object is known by (the aggregate id). */
export function objectLink(kind: ObjectKind, id: string): string {
  return `/dashboard/${kind.slug}/${encodeURIComponent(id)}`;
}
