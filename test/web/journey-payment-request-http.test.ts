/**
 * The shared purchase journey's JSON endpoints for a v2 payment request
 * (/kp/v1/journey/payment-request/...), in-process: the journey token from payment_request_url as
 * the only credential (not the request id, not another account's token, not a session's
 * client_token), what the page is shown, enter/approve/abort moving the request exactly as the
 * sandbox helper does, the customer's category and plan reaching the transaction, the redirect to
 * the partner's return_url, and clean refusals for requests in a final state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { orderIdOf } from '../../src/app/payment-requests/payment-transaction.js';
import type { Merchant } from '../support/harness.js';
import { purchase, startV2Kassa, type V2Kassa } from '../v2/support.js';

let k: V2Kassa;
beforeEach(async () => (k = await startV2Kassa()));
afterEach(async () => k.close());

const returnUrl = 'https://partner.example/back?id={klarna.payment_request.id}&state={klarna.payment_request.state}&pt={klarna.payment_request.payment_token}&ref={klarna.payment_request.payment_request_reference}';

interface StepUp {
  id: string;
  url: string;
  token: string;
}

/** authorize with step_up_config -> the SUBMITTED request, its payment_request_url and journey token. */
async function stepUp(options: { merchant?: Merchant; config?: object; purchaseData?: object } = {}): Promise<StepUp> {
  const body = {
    ...purchase(),
    ...(options.purchaseData ? { supplementary_purchase_data: options.purchaseData } : {}),
    step_up_config: { payment_request_reference: 'pr-ref-1', customer_interaction_config: options.config ?? { method: 'HANDOVER', return_url: returnUrl } },
  };
  const who = options.merchant ?? k.merchant;
  const res = await k.request('POST', `/v2/accounts/${who.accountId}/payment/authorize`, { body, merchant: who });
  expect(res.statusCode, res.body).toBe(200);
  const pr = res.json().payment_request;
  const url: string = pr.state_context.customer_interaction.payment_request_url;
  return { id: pr.payment_request_id, url, token: new URLSearchParams(new URL(url).hash.slice(1)).get('t')! };
}

function journey(credential: string | null, method: 'GET' | 'POST', action: string, body?: object, kind = 'payment-request') {
  return k.request(method, `/kp/v1/journey/${kind}/${action}`, {
    merchant: null,
    headers: credential === null ? {} : { authorization: `Bearer ${credential}` },
    body: method === 'POST' ? (body ?? {}) : undefined,
  });
}

const approve = (token: string, extra: object = {}) => journey(token, 'POST', 'approve', { email: 'customer@email.de', one_time_code: '123456', ...extra });

async function read(id: string, merchant?: Merchant) {
  const res = await k.request('GET', `/v2/payment/requests/${id}`, { merchant });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function eventLog(id: string, merchant: Merchant = k.merchant): Promise<string[]> {
  return (await k.kassa.deps.engine.store.listEvents(merchant.accountId, 'payment_request', id)).map((e) => e.type);
}

async function webhookTypes(): Promise<string[]> {
  await k.flush();
  return k.events().map((e) => e.metadata.event_type!);
}

describe('payment_request_url opens the shared purchase journey', () => {
  it('is the journey page of the payment-request subject with a random journey token in the fragment', async () => {
    const a = await stepUp();
    const b = await stepUp();
    expect(a.url).toBe(`${k.config.publicUrl}/kp/v1/journey/payment-request#t=${a.token}`);
    expect(a.token).toMatch(/^[\w-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.url).not.toContain(a.id);
    const page = await k.request('GET', new URL(a.url).pathname, { merchant: null });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('journey.js');
  });

  it('the context describes the request: amount, lines, the market’s categories with plans, the partner’s customer as prefill', async () => {
    const { id, token } = await stepUp({
      purchaseData: { purchase_reference: 'o-1', customer: { email: 'shopper@email.de' }, line_items: [{ name: 'Shoes', quantity: 2, total_amount: 10000 }, { name: 'Shipping', quantity: 1, total_amount: 1800 }] },
    });
    const res = await journey(token, 'GET', 'context');
    expect(res.statusCode, res.body).toBe(200);
    const ctx = res.json();
    expect(ctx).toMatchObject({
      kind: 'payment-request',
      mode: 'sandbox',
      merchant_name: k.merchant.username,
      purchase_country: 'DE',
      purchase_currency: 'EUR',
      locale: 'en-DE',
      order_amount: 11800,
      order_lines: [{ name: 'Shoes', quantity: 2, total_amount: 10000 }, { name: 'Shipping', quantity: 1, total_amount: 1800 }],
      prefill: { email: 'shopper@email.de' },
      one_time_code: { length: 6 },
    });
    expect(ctx.payment_method_categories.map((c: { identifier: string; plans: { id: string }[] }) => [c.identifier, c.plans.map((p) => p.id)])).toEqual([
      ['pay_now', ['now']],
      ['pay_later', ['30_days']],
      ['pay_over_time', ['3_months', '6_months', '12_months']],
    ]);
    // Looking writes nothing: the request is still SUBMITTED, with only its creation in the log.
    expect((await read(id)).state).toBe('SUBMITTED');
    expect(await eventLog(id)).toEqual(['payment_request.create']);
  });

  it('without line items the page shows one line for the whole amount', async () => {
    const { token } = await stepUp();
    expect((await journey(token, 'GET', 'context')).json().order_lines).toEqual([{ name: 'Payment', quantity: 1, total_amount: 11800 }]);
  });
});

describe('who may act on a payment request', () => {
  it.each([
    ['no Authorization header', () => null, 'Missing credential: send the journey token'],
    ['the request id', (s: StepUp) => s.id, 'Invalid journey token'],
    ['a made-up token', () => 'A'.repeat(43), 'Invalid journey token'],
  ])('refuses %s with 401 and changes nothing', async (_what, credential, message) => {
    const s = await stepUp();
    for (const [method, action] of [['GET', 'context'], ['POST', 'enter'], ['POST', 'approve'], ['POST', 'abort']] as const) {
      const res = await journey(credential(s), method, action, action === 'approve' ? { email: 'customer@email.de', one_time_code: '123456' } : {});
      expect([action, res.statusCode, res.json().error_code]).toEqual([action, 401, 'UNAUTHORIZED']);
      expect(res.json().error_messages[0]).toContain(message);
    }
    expect((await read(s.id)).state).toBe('SUBMITTED');
  });

  it('a session’s client_token is not a journey token, and a journey token is not a client_token', async () => {
    const s = await stepUp();
    const session = await k.request('POST', '/payments/v1/sessions', {
      body: { purchase_country: 'DE', purchase_currency: 'EUR', locale: 'de-DE', order_amount: 1000, order_tax_amount: 0, order_lines: [{ name: 'x', quantity: 1, unit_price: 1000, total_amount: 1000, tax_rate: 0, total_tax_amount: 0 }] },
    });
    expect(session.statusCode, session.body).toBe(200);
    expect((await journey(session.json().client_token, 'GET', 'context')).statusCode).toBe(401);
    expect((await journey(s.token, 'GET', 'context', undefined, 'session')).statusCode).toBe(401);
  });

  it('a journey token acts on its own request only: another account’s customer cannot touch this one', async () => {
    const other = await k.createMerchant();
    const mine = await stepUp();
    const theirs = await stepUp({ merchant: other });
    expect((await journey(theirs.token, 'GET', 'context')).json().merchant_name).toBe(other.username);
    expect((await journey(theirs.token, 'POST', 'enter')).statusCode).toBe(204);
    expect((await approve(theirs.token)).json().result).toBe('approved');
    expect((await read(theirs.id, other)).state).toBe('COMPLETED');
    // Mine is untouched, and the merchants still cannot see each other's requests.
    expect(await read(mine.id)).toMatchObject({ state: 'SUBMITTED', state_reason: 'PAYMENT_REQUEST_SUBMITTED' });
    expect(await eventLog(mine.id)).toEqual(['payment_request.create']);
    expect((await k.request('GET', `/v2/payment/requests/${theirs.id}`)).statusCode).toBe(404);
  });
});

describe('the journey moves the request', () => {
  it('enter -> IN_PROGRESS (once), approve -> COMPLETED and the outcome redirects to return_url with every placeholder filled', async () => {
    const { id, token } = await stepUp();
    expect((await journey(token, 'POST', 'enter')).statusCode).toBe(204);
    expect((await read(id)).state).toBe('IN_PROGRESS');
    expect((await journey(token, 'POST', 'enter')).statusCode).toBe(204);
    expect(await eventLog(id)).toEqual(['payment_request.create', 'payment_request.enter']);

    expect((await journey(token, 'POST', 'identify', { email: 'customer@email.de' })).json()).toMatchObject({ sent_to: 'c******@email.de', code_length: 6 });
    const failing = await journey(token, 'POST', 'verify', { email: 'customer@email.de', one_time_code: '999999' });
    expect([failing.statusCode, failing.json().error_messages]).toEqual([400, ['Bad value: one_time_code (the code is not correct)']]);
    expect((await journey(token, 'POST', 'verify', { email: 'customer@email.de', one_time_code: '123456' })).statusCode).toBe(204);
    const refused = await approve(token, { one_time_code: '999999' });
    expect(refused.statusCode).toBe(400);
    expect((await read(id)).state).toBe('IN_PROGRESS');

    const res = await approve(token);
    expect(res.statusCode, res.body).toBe(200);
    const outcome = res.json();
    const r = await read(id);
    expect(r).toMatchObject({ state: 'COMPLETED', previous_state: 'IN_PROGRESS', state_reason: 'PURCHASE_FLOW_COMPLETED', state_context: { klarna_customer: { customer_profile: { email: 'customer@email.de' } } } });
    expect(outcome).toEqual({
      result: 'approved',
      redirect_url: `https://partner.example/back?id=${encodeURIComponent(id)}&state=COMPLETED&pt=${encodeURIComponent(r.state_context.payment_token)}&ref=pr-ref-1`,
    });
    expect(await webhookTypes()).toEqual([
      'payment.request.state-change.submitted',
      'payment.request.state-change.in-progress',
      'payment.request.state-change.completed',
    ]);
  });

  it('the category and plan the customer chose become the transaction’s payment method', async () => {
    const { id, token } = await stepUp();
    await journey(token, 'POST', 'enter');
    const outcome = (await approve(token, { payment_method_category: 'pay_over_time', plan: '3_months' })).json();
    expect(outcome.result).toBe('approved');
    const pt = (await read(id)).state_context.payment_token;
    const tx = await k.authorize(purchase(), { 'klarna-payment-token': pt });
    expect(tx.json.payment_transaction_response.result).toBe('APPROVED');
    const order = await k.request('GET', `/ordermanagement/v1/orders/${orderIdOf(tx.json.payment_transaction_response.payment_transaction.payment_transaction_id)}`);
    expect(order.json().initial_payment_method).toEqual({ type: 'FIXED_SUM_CREDIT', description: 'Pay over time', number_of_installments: 3 });

    const other = await stepUp();
    await journey(other.token, 'POST', 'enter');
    const bad = await approve(other.token, { payment_method_category: 'pay_over_time', plan: '30_days' });
    expect([bad.statusCode, bad.json().error_messages[0]]).toEqual([400, expect.stringContaining('Bad value: plan')]);
    expect((await read(other.id)).state).toBe('IN_PROGRESS');
  });

  it('a declining persona -> DECLINED, redirected with the DECLINED state and no token', async () => {
    const { id, token } = await stepUp();
    await journey(token, 'POST', 'enter');
    const outcome = (await approve(token, { email: 'customer+denied@email.de' })).json();
    expect(outcome).toEqual({ result: 'declined', redirect_url: `https://partner.example/back?id=${encodeURIComponent(id)}&state=DECLINED&pt=&ref=pr-ref-1` });
    expect(await read(id)).toMatchObject({ state: 'DECLINED', previous_state: 'IN_PROGRESS', state_context: {} });
    expect((await webhookTypes()).at(-1)).toBe('payment.request.state-change.declined');
  });

  it('closing the journey (abort) -> back to SUBMITTED, redirected with that state; the partner may update it again', async () => {
    const { id, token } = await stepUp();
    await journey(token, 'POST', 'enter');
    const outcome = (await journey(token, 'POST', 'abort')).json();
    expect(outcome).toEqual({ result: 'aborted', redirect_url: `https://partner.example/back?id=${encodeURIComponent(id)}&state=SUBMITTED&pt=&ref=pr-ref-1` });
    expect(await read(id)).toMatchObject({ state: 'SUBMITTED', previous_state: 'IN_PROGRESS', state_reason: 'PURCHASE_FLOW_ABORTED' });
    expect((await webhookTypes()).at(-1)).toBe('payment.request.state-change.submitted');
    expect((await k.request('PATCH', `/v2/payment/requests/${id}`, { body: { payment_request_reference: 'again' } })).statusCode).toBe(200);
    // The same link still works: the customer can come back.
    expect((await journey(token, 'POST', 'enter')).statusCode).toBe(204);
    expect((await read(id)).state).toBe('IN_PROGRESS');
  });

  it('closing before the journey was entered changes nothing and still sends the customer back', async () => {
    const { id, token } = await stepUp();
    const outcome = (await journey(token, 'POST', 'abort')).json();
    expect(outcome).toEqual({ result: 'aborted', redirect_url: `https://partner.example/back?id=${encodeURIComponent(id)}&state=SUBMITTED&pt=&ref=pr-ref-1` });
    expect(await eventLog(id)).toEqual(['payment_request.create']);
  });

  it('without a return_url the outcome has no redirect: the page says it is done', async () => {
    const { token } = await stepUp({ config: { method: 'HANDOVER' } });
    await journey(token, 'POST', 'enter');
    expect((await approve(token)).json()).toEqual({ result: 'approved' });
  });

  it('behaves as the sandbox helper: the helper can take over a journey the page started', async () => {
    const { id, token } = await stepUp();
    await journey(token, 'POST', 'enter');
    const helper = await k.journey(id, 'approve', { email: 'customer@email.de' });
    expect(helper.json.payment_request.state).toBe('COMPLETED');
    expect((await journey(token, 'GET', 'context')).statusCode).toBe(409);
  });
});

describe('requests in a final state are refused cleanly', () => {
  async function finalRequest(how: 'COMPLETED' | 'DECLINED' | 'CANCELED' | 'EXPIRED'): Promise<StepUp> {
    const s = await stepUp();
    if (how === 'EXPIRED') {
      await k.advance(48 * 3600);
      return s;
    }
    if (how === 'CANCELED') {
      expect((await k.request('DELETE', `/v2/payment/requests/${s.id}`)).statusCode).toBe(200);
      return s;
    }
    await journey(s.token, 'POST', 'enter');
    await approve(s.token, { email: how === 'DECLINED' ? 'customer+denied@email.de' : 'customer@email.de' });
    return s;
  }

  it.each([
    ['COMPLETED', 'already approved'],
    ['DECLINED', 'declined'],
    ['CANCELED', 'cancelled'],
    ['EXPIRED', 'expired'],
  ] as const)('%s: context, enter and approve answer 409 saying why, and write nothing', async (state, why) => {
    const s = await finalRequest(state);
    const before = await k.kassa.deps.engine.store.getAggregate(k.merchant.accountId, 'payment_request', s.id);
    const events = await eventLog(s.id);
    for (const [method, action] of [['GET', 'context'], ['POST', 'enter'], ['POST', 'identify'], ['POST', 'approve']] as const) {
      const res = await journey(s.token, method, action, { email: 'customer@email.de', one_time_code: '123456' });
      expect([action, res.statusCode, res.json().error_code]).toEqual([action, 409, 'NOT_ALLOWED']);
      expect(res.json().error_messages[0]).toContain(why);
    }
    expect((await k.kassa.deps.engine.store.getAggregate(k.merchant.accountId, 'payment_request', s.id))?.version).toBe(before?.version);
    expect(await eventLog(s.id)).toEqual(events);
    expect((await read(s.id)).state).toBe(state);
  });

  it('closing a final request changes nothing and sends the customer back with its state', async () => {
    const s = await finalRequest('COMPLETED');
    const r = await read(s.id);
    const outcome = (await journey(s.token, 'POST', 'abort')).json();
    expect(outcome).toEqual({ result: 'aborted', redirect_url: `https://partner.example/back?id=${encodeURIComponent(s.id)}&state=COMPLETED&pt=${encodeURIComponent(r.state_context.payment_token)}&ref=pr-ref-1` });
    expect(await read(s.id)).toEqual(r);
    expect((await eventLog(s.id)).at(-1)).toBe('payment_request.signal_ignored');
  });

  it('a request whose deadline passed before its timer fired is shown as expired', async () => {
    const s = await stepUp({ config: { return_url: returnUrl, interaction_expiry: { duration: 'PT15M' } } });
    k.clock.advance(15 * 60_000);
    const res = await journey(s.token, 'GET', 'context');
    expect([res.statusCode, res.json().error_messages]).toEqual([409, ['This payment link has expired. The store can send you a new one.']]);
  });
});

describe('the old journey page', () => {
  it('is gone: /journey/payment-requests/{id} is not a capability any more', async () => {
    const s = await stepUp();
    for (const method of ['GET', 'POST'] as const) {
      const res = await k.request(method, `/journey/payment-requests/${s.id}`, { merchant: null, ...(method === 'POST' ? { body: 'action=approve', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}) });
      expect(res.statusCode).toBe(404);
    }
    expect((await read(s.id)).state).toBe('SUBMITTED');
  });
});
