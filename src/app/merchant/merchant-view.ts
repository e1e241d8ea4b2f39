/**
 * The JSON the merchant API shows for an order and for one request. Secrets stay inside: the
 * notification token, the authorization token and the connection's password never appear; the
 * session's client_token is shown only while the checkout is open (the page needs it).
 */
import type { MerchantOrder, RequestEntry } from '../../domain/merchant-order/merchant-order-state.js';
import { multiSafepayRefundStatus, multiSafepayStatus } from '../../domain/merchant-order/status-views.js';
import type { EventRecord } from '../../store/port.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function requestView(order: MerchantOrder, r: RequestEntry): Record<string, unknown> {
  return {
    request_id: r.request_id,
    order_id: order.order_id,
    kind: r.kind,
    status: r.status,
    status_history: r.status_history,
    created_at: r.created_at,
    updated_at: r.updated_at,
    attempts: r.attempts,
    ...(r.idempotency_key ? { idempotency_key: r.idempotency_key } : {}),
    ...(r.amount !== undefined ? { amount: r.amount } : {}),
    ...(r.capture_id ? { capture_id: r.capture_id } : {}),
    ...(r.refund_id ? { refund_id: r.refund_id } : {}),
    ...(r.checks_request_id ? { checks_request_id: r.checks_request_id } : {}),
    ...(r.latest_check ? { latest_check: r.latest_check } : {}),
    ...(r.http_status !== undefined ? { http_status: r.http_status } : {}),
    ...(r.error_code ? { error_code: r.error_code } : {}),
    ...(r.error_messages ? { error_messages: r.error_messages } : {}),
    ...(r.klarna_correlation_id ? { klarna_correlation_id: r.klarna_correlation_id } : {}),
  };
}

export function orderView(order: MerchantOrder, events: EventRecord[]): Record<string, unknown> {
  const msp = multiSafepayStatus(order);
  return {
    order_id: order.order_id,
    state: order.status,
    order_status: msp.order_status,
    transaction_status: msp.transaction_status,
    created_at: order.created_at,
    updated_at: order.updated_at,
    cart: order.cart,
    checkout:
      order.session && (order.status === 'checkout' || order.status === 'pre_check')
        ? { session_id: order.session.session_id, client_token: order.session.client_token, payment_method_categories: order.session.payment_method_categories, expires_at: iso(order.session.expires_at_ms) }
        : null,
    klarna: { ...(order.session ? { session_id: order.session.session_id } : {}), ...order.klarna },
    shipped: order.shipped,
    shipping_info: order.shipping_info,
    captured_amount: order.captured_amount,
    refunded_amount: order.refunded_amount,
    ...(order.accepted_at ? { accepted_at: order.accepted_at } : {}),
    ...(order.settled_at ? { settled_at: order.settled_at } : {}),
    ...(order.funds_booked_at ? { funds_booked_at: order.funds_booked_at } : {}),
    captures: order.captures.map((c) => ({
      capture_id: c.capture_id,
      request_id: c.request_id,
      captured_amount: c.amount,
      status: c.status,
      ...(c.klarna_capture_id ? { klarna_capture_id: c.klarna_capture_id } : {}),
      settlement: c.status === 'CHARGEBACK' ? 'CHARGEBACK' : c.settled ? 'SETTLED' : c.status === 'SETTLED' ? 'PENDING' : 'NONE',
      ...(c.settled_at ? { settled_at: c.settled_at } : {}),
      disputed: c.disputed,
      ...(c.shipping_info ? { shipping_info: c.shipping_info } : {}),
      ...(c.description ? { description: c.description } : {}),
    })),
    refunds: order.refunds.map((r) => ({
      refund_id: r.refund_id,
      request_id: r.request_id,
      refunded_amount: r.amount,
      status: r.status,
      ...multiSafepayRefundStatus(r),
      ...(r.klarna_refund_id ? { klarna_refund_id: r.klarna_refund_id } : {}),
      ...(r.description ? { description: r.description } : {}),
      created_at: r.created_at,
    })),
    requests: order.requests.map((r) => requestView(order, r)),
    pending_steps: [...order.steps]
      .sort((a, b) => a.due_at - b.due_at)
      .map((s) => ({ step_id: s.id, kind: s.input.kind, ...('reason' in s.input ? { reason: s.input.reason } : {}), due_at: iso(s.due_at), attempts: s.attempts, outcome_unknown: s.unknown, request_id: s.request_id })),
    timeline: events.map((e) => ({ at: iso(e.occurredAt), type: e.type, ...(e.data as Record<string, unknown>) })),
  };
}
