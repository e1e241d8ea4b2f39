/**
 * One object's page: what it is and its state drawn on its state machine, its money, the actions
 * its current state allows (orders), the MultiSafepay and Cybersource views (merchant orders), and
 * its timeline. The sections marked `data-live-section` are refreshed in place when the object
 * changes (live.ts, static/dashboard/dashboard.js).
 */
import { orderView as merchantOrderView } from '../app/merchant/merchant-view.js';
import type { CustomerTokenState } from '../domain/customer-token/customer-token-state.js';
import type { MerchantOrder } from '../domain/merchant-order/merchant-order-state.js';
import { isFinal } from '../domain/machine.js';
import type { OrderState } from '../domain/order/order-state.js';
import type { PaymentRequestState } from '../domain/payment-request/payment-request-state.js';
import type { SessionState } from '../domain/session/session-state.js';
import type { SettlementState } from '../domain/settlement/settlement.js';
import type { AggregateRecord } from '../store/port.js';
import { badge, money, relative, time } from './format.js';
import { html, type Html } from './html.js';
import { csrfField, type PageContext } from './layout.js';
import type { ObjectKind } from './object-kinds.js';
import { stateDiagram } from './state-diagram.js';
import { renderTimeline, type TimelineEntry } from './timeline.js';

export interface ObjectPageData {
  kind: ObjectKind;
  record: AggregateRecord;
  timeline: TimelineEntry[];
  /** Orders: each capture's settlement, when opened. */
  settlements: Map<string, SettlementState>;
  accountNow: number;
  /** A fresh idempotency key per rendered form, so a double submit acts once. */
  formKey: () => string;
}

function kv(pairs: [string, Html | string | number | undefined][]): Html {
  return html`<dl class="kv">${pairs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => html`<div><dt>${k}</dt><dd>${v as Html | string | number}</dd></div>`)}</dl>`;
}

function actionForm(ctx: PageContext, data: ObjectPageData, path: string, label: string, fields: Html = html``, style = '', ariaLabel?: string): Html {
  return html`<form method="post" action="/dashboard/${data.kind.slug}/${encodeURIComponent(data.record.id)}/${path}" class="action ${style}">
    ${csrfField(ctx)}<input type="hidden" name="_key" value="${data.formKey()}">
    ${fields}<button type="submit"${style === 'danger' ? html` class="danger"` : ''}${ariaLabel ? html` aria-label="${ariaLabel}"` : ''}>${label}</button>
  </form>`;
}

function orderActions(ctx: PageContext, data: ObjectPageData, o: OrderState): Html {
  const events = new Set(data.kind.machine.transitions.filter((t) => t.from === o.status).map((t) => t.event));
  const cur = o.purchase_currency;
  const refundable = o.captured_amount - o.refunded_amount;
  const forms: Html[] = [];
  if (events.has('capture') && o.fraud_status === 'ACCEPTED' && o.remaining_authorized_amount > 0) {
    forms.push(
      actionForm(ctx, data, 'capture', 'Capture', html`<div class="field"><label for="capture-amount">Amount to capture (${cur}, minor units)</label>
        <input type="number" id="capture-amount" name="amount" min="1" max="${o.remaining_authorized_amount}" step="1" value="${o.remaining_authorized_amount}" required inputmode="numeric">
        <p class="hint">Up to ${money(o.remaining_authorized_amount, cur)}</p></div>
        <div class="field"><label for="capture-description">Description (optional)</label><input type="text" id="capture-description" name="description" maxlength="255"></div>`),
    );
  }
  if (events.has('refund') && refundable > 0) {
    forms.push(
      actionForm(ctx, data, 'refund', 'Refund', html`<div class="field"><label for="refund-amount">Amount to refund (${cur}, minor units)</label>
        <input type="number" id="refund-amount" name="amount" min="1" max="${refundable}" step="1" value="${refundable}" required inputmode="numeric">
        <p class="hint">Up to ${money(refundable, cur)}</p></div>
        <div class="field"><label for="refund-description">Description (optional)</label><input type="text" id="refund-description" name="description" maxlength="255"></div>`),
    );
  }
  const small: Html[] = [];
  if (events.has('extend_authorization')) small.push(actionForm(ctx, data, 'extend', 'Extend authorization'));
  if (events.has('release_remaining_authorization') && o.remaining_authorized_amount > 0) small.push(actionForm(ctx, data, 'release', 'Release remaining authorization'));
  if (events.has('cancel')) small.push(actionForm(ctx, data, 'cancel', 'Cancel order', html``, 'danger'));
  if (ctx.mode === 'sandbox' && o.fraud_status === 'PENDING') {
    small.push(
      html`<div class="fraud-review"><p><strong>Fraud review pending.</strong> ${o.internal.fraudReview ? html`It concludes ${relative(o.internal.fraudReview.dueAt, data.accountNow)} on the account clock.` : ''} Decide it now:</p>
      <div class="button-row">${actionForm(ctx, data, 'fraud-review/accept', 'Accept')}${actionForm(ctx, data, 'fraud-review/reject', 'Reject', html``, 'danger')}</div></div>`,
    );
  }
  if (!forms.length && !small.length) return html`<p class="muted">No action is possible in state ${o.status}${isFinal(data.kind.machine, o.status) ? ' (final)' : ''}.</p>`;
  return html`<div class="actions">${forms}</div><div class="button-row">${small}</div>`;
}

function orderMoney(ctx: PageContext, data: ObjectPageData, o: OrderState): Html {
  const cur = o.purchase_currency;
  const captures = o.captures.length
    ? html`<h3>Captures</h3><div class="table-scroll"><table class="list"><thead><tr><th scope="col">Capture</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Refunded</th><th scope="col">Captured</th><th scope="col">Settlement</th>${ctx.mode === 'sandbox' && html`<th scope="col"><span class="visually-hidden">Sandbox actions</span></th>`}</tr></thead><tbody>
      ${o.captures.map((c) => {
        const s = data.settlements.get(c.capture_id);
        const canSettle = !s || s.status === 'PENDING';
        const canDispute = !s || s.status === 'PENDING' || s.status === 'SETTLED';
        return html`<tr><td><code>${c.capture_id}</code>${c.description && html`<br><span class="muted">${c.description}</span>`}</td><td class="num">${money(c.captured_amount, cur)}</td><td class="num">${money(c.refunded_amount, cur)}</td><td>${time(c.captured_at)}</td>
          <td>${s ? badge(s.status) : badge('PENDING')}${s?.status === 'PENDING' ? html` <span class="muted">settles ${relative(s.internal.settleAtMs, data.accountNow)}</span>` : ''}</td>
          ${
            ctx.mode === 'sandbox' &&
            html`<td class="row-actions">${canSettle && actionForm(ctx, data, `captures/${encodeURIComponent(c.capture_id)}/settle`, 'Settle now', html``, '', `Settle capture ${c.capture_id} now`)}
            ${canDispute && actionForm(ctx, data, `captures/${encodeURIComponent(c.capture_id)}/dispute`, 'Dispute', html``, 'danger', `Dispute capture ${c.capture_id}`)}</td>`
          }</tr>`;
      })}</tbody></table></div>`
    : html``;
  const refunds = o.refunds.length
    ? html`<h3>Refunds</h3><div class="table-scroll"><table class="list"><thead><tr><th scope="col">Refund</th><th scope="col" class="num">Amount</th><th scope="col">Refunded</th></tr></thead><tbody>
      ${o.refunds.map((r) => html`<tr><td><code>${r.refund_id}</code>${r.description && html`<br><span class="muted">${r.description}</span>`}</td><td class="num">${money(r.refunded_amount, cur)}</td><td>${time(r.refunded_at)}</td></tr>`)}</tbody></table></div>`
    : html``;
  return html`<div class="money">
      <div class="figure"><span class="label">Authorized</span><span class="value" data-money="authorized">${money(o.order_amount, cur)}</span>${o.original_order_amount !== o.order_amount && html`<span class="muted">originally ${money(o.original_order_amount, cur)}</span>`}</div>
      <div class="figure"><span class="label">Captured</span><span class="value" data-money="captured">${money(o.captured_amount, cur)}</span></div>
      <div class="figure"><span class="label">Refunded</span><span class="value" data-money="refunded">${money(o.refunded_amount, cur)}</span></div>
      <div class="figure"><span class="label">Remaining authorization</span><span class="value" data-money="remaining">${money(o.remaining_authorized_amount, cur)}</span></div>
    </div>${captures}${refunds}`;
}

function orderDetails(o: OrderState, now: number): Html {
  return kv([
    ['Fraud status', badge(o.fraud_status)],
    ['Klarna reference', o.klarna_reference],
    ['Merchant reference 1', o.merchant_reference1],
    ['Merchant reference 2', o.merchant_reference2],
    ['Customer', (o.billing_address?.email as string | undefined) ?? o.internal.subject?.email],
    ['Payment method', o.initial_payment_method.description],
    ['Source', `${o.internal.source} ${o.internal.sourceId}`],
    ['Created', time(o.created_at)],
    ['Capture deadline', html`${time(o.expires_at)} <span class="muted">(${relative(o.internal.expiresAtMs, now)})</span>`],
  ]);
}

function merchantOrderActions(ctx: PageContext, data: ObjectPageData, m: MerchantOrder): Html {
  const events = new Set(data.kind.machine.transitions.filter((t) => t.from === m.status).map((t) => t.event));
  const cur = m.cart.purchase_currency;
  const capturable = m.cart.order_amount - m.captured_amount;
  const refundable = m.captured_amount - m.refunded_amount;
  const forms: Html[] = [];
  if (events.has('capture') && capturable > 0) {
    forms.push(
      actionForm(ctx, data, 'capture', 'Capture', html`<div class="field"><label for="mo-capture-amount">Amount to capture (${cur}, minor units)</label>
        <input type="number" id="mo-capture-amount" name="amount" min="1" max="${capturable}" step="1" value="${capturable}" required inputmode="numeric"><p class="hint">Up to ${money(capturable, cur)}</p></div>`),
    );
  }
  if (events.has('refund') && refundable > 0) {
    forms.push(
      actionForm(ctx, data, 'refund', 'Refund', html`<div class="field"><label for="mo-refund-amount">Amount to refund (${cur}, minor units)</label>
        <input type="number" id="mo-refund-amount" name="amount" min="1" max="${refundable}" step="1" value="${refundable}" required inputmode="numeric"><p class="hint">Up to ${money(refundable, cur)}</p></div>`),
    );
  }
  const small: Html[] = [];
  if (events.has('ship')) small.push(actionForm(ctx, data, 'ship', 'Mark shipped'));
  if (events.has('extend')) small.push(actionForm(ctx, data, 'extend', 'Extend authorization'));
  if (events.has('close')) small.push(actionForm(ctx, data, 'close', 'Release remaining authorization'));
  if (!isFinal(data.kind.machine, m.status) && m.klarna.order_id) small.push(actionForm(ctx, data, 'check', 'Check status now'));
  if (events.has('cancel')) small.push(actionForm(ctx, data, 'cancel', 'Cancel order', html``, 'danger'));
  if (!forms.length && !small.length) return html`<p class="muted">No action is possible in state ${m.status}${isFinal(data.kind.machine, m.status) ? ' (final)' : ''}.</p>`;
  return html`<div class="actions">${forms}</div><div class="button-row">${small}</div>`;
}

function merchantOrderSections(m: MerchantOrder, events: TimelineEntry[]): Html {
  const view = merchantOrderView(m, events.map((e) => e.event)) as {
    order_status: string;
    transaction_status: string;
    requests: { request_id: string; kind: string; status: string; created_at: string; attempts: number; amount?: number; http_status?: number; error_code?: string; idempotency_key?: string; klarna_correlation_id?: string }[];
    pending_steps: { step_id: string; kind: string; due_at: string; attempts: number }[];
  };
  const cur = m.cart.purchase_currency;
  return html`<section aria-labelledby="msp-h" class="card"><h2 id="msp-h">MultiSafepay statuses</h2>
    ${kv([['Order status', badge(view.order_status)], ['Transaction status', badge(view.transaction_status)], ['Captured', money(m.captured_amount, cur)], ['Refunded', money(m.refunded_amount, cur)], ['Klarna order', m.klarna.order_id], ['Klarna status', m.klarna.status]])}
  </section>
  <section aria-labelledby="cs-h" class="card"><h2 id="cs-h">Requests to Klarna (Cybersource statuses)</h2>
    ${
      view.requests.length
        ? html`<div class="table-scroll"><table class="list"><thead><tr><th scope="col">Request</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col" class="num">Amount</th><th scope="col">HTTP</th><th scope="col">Attempts</th><th scope="col">Created</th></tr></thead><tbody>
      ${view.requests.map((r) => html`<tr><td><code>${r.request_id}</code>${r.idempotency_key && html`<br><span class="muted">key ${r.idempotency_key}</span>`}</td><td>${r.kind}</td><td>${badge(r.status)}${r.error_code && html` <span class="muted">${r.error_code}</span>`}</td><td class="num">${r.amount !== undefined ? money(r.amount, cur) : ''}</td><td>${r.http_status ?? ''}</td><td>${r.attempts}</td><td>${time(r.created_at)}</td></tr>`)}
      </tbody></table></div>`
        : html`<p class="muted">No requests yet.</p>`
    }
    ${view.pending_steps.length > 0 && html`<h3>Next steps</h3><ul>${view.pending_steps.map((s) => html`<li><code>${s.kind}</code> due ${time(s.due_at)} (${s.attempts} attempts so far)</li>`)}</ul>`}
  </section>`;
}

function summary(kind: ObjectKind, record: AggregateRecord, now: number): Html {
  const s = record.state as Record<string, unknown>;
  switch (kind.type) {
    case 'session': {
      const x = s as unknown as SessionState;
      return kv([['Amount', money(x.order_amount, x.purchase_currency)], ['Intent', x.intent], ['Country', x.purchase_country], ['Order', x.order_id], ['Customer token', x.customer_token_id], ['Expires', html`${time(x.expires_at)} <span class="muted">(${relative(x.internal.expiresAtMs, now)})</span>`]]);
    }
    case 'customer_token': {
      const x = s as unknown as CustomerTokenState;
      return kv([['Payment method', x.payment_method_type], ['Description', x.description], ['Intended use', x.intended_use], ['Country', x.purchase_country], ['Currency', x.purchase_currency], ['Customer', kind.emails(x)[0]], ['From session', x.internal.sessionId], ['Created', time(x.created_at)]]);
    }
    case 'payment_request': {
      const x = s as unknown as PaymentRequestState;
      return kv([['Amount', money(x.amount, x.currency)], ['Reference', x.payment_request_reference], ['State reason', x.state_reason], ['Previous state', x.previous_state], ['Customer', kind.emails(x)[0]], ['Payment transaction', x.internal.paymentTransactionId], ['Created', time(x.created_at)], ['Expires', html`${time(x.expires_at)} <span class="muted">(${relative(x.internal.expiresAtMs, now)})</span>`]]);
    }
    case 'merchant_order': {
      const x = s as unknown as MerchantOrder;
      return kv([['Amount', money(x.cart.order_amount, x.cart.purchase_currency)], ['Reference', x.cart.merchant_reference1], ['Customer', kind.emails(x)[0]], ['Shipped', x.shipped ? 'yes' : 'no'], ['Created', time(x.created_at)], ['Updated', time(x.updated_at)]]);
    }
    default:
      return html``;
  }
}

export function renderObjectPage(ctx: PageContext, data: ObjectPageData): Html {
  const { kind, record } = data;
  const state = kind.state(record.state);
  const amount = kind.amount(record.state);
  const isOrder = kind.type === 'order';
  const order = record.state as OrderState;
  return html`<p class="crumbs"><a href="/dashboard/${kind.slug}">${kind.title}</a></p>
  <div class="object-head" data-live-section="head">
    <h1>${kind.singular} <code class="object-id">${record.id}</code></h1>
    <p class="headline">${badge(state)} ${amount && html`<span class="amount">${money(amount.amount, amount.currency)}</span>`} <span class="muted">version ${record.version}, updated ${time(record.updatedAt)}</span></p>
  </div>
  ${
    isOrder &&
    html`<section class="card" aria-labelledby="actions-h" data-live-section="actions"><h2 id="actions-h">Actions</h2>${orderActions(ctx, data, order)}</section>`
  }
  ${
    kind.type === 'merchant_order' &&
    html`<section class="card" aria-labelledby="actions-h" data-live-section="actions"><h2 id="actions-h">Actions</h2>${merchantOrderActions(ctx, data, record.state as MerchantOrder)}</section>`
  }
  <div class="grid-2">
    <section class="card" aria-labelledby="state-h" data-live-section="state"><h2 id="state-h">State</h2>${stateDiagram(kind.machine, state, `${kind.singular} state machine, current state ${state}`)}</section>
    <section class="card" aria-labelledby="details-h" data-live-section="details"><h2 id="details-h">Details</h2>${isOrder ? orderDetails(order, data.accountNow) : summary(kind, record, data.accountNow)}</section>
  </div>
  ${isOrder && html`<section class="card" aria-labelledby="money-h" data-live-section="money"><h2 id="money-h">Money</h2>${orderMoney(ctx, data, order)}</section>`}
  ${kind.type === 'merchant_order' && html`<div data-live-section="merchant">${merchantOrderSections(record.state as MerchantOrder, data.timeline)}</div>`}
  <section class="card" aria-labelledby="timeline-h" data-live-section="timeline"><h2 id="timeline-h">Timeline</h2>${renderTimeline(data.timeline)}</section>`;
}
