/**
 * The purchase journey's JSON endpoints (/kp/v1/journey/session/...), in-process: bearer
 * authentication with the client_token, the fixed order of checks, the one-time code, plans, and
 * the decision — which must be the sandbox helper's, persona for persona.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionType } from '../../src/domain/session/session-state.js';
import { usOrder } from '../fixtures/orders.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa;
beforeAll(async () => (t = await startTestKassa()));
afterAll(async () => t.close());

async function newSession(body: object = usOrder()): Promise<{ sessionId: string; token: string }> {
  const res = await t.request('POST', '/payments/v1/sessions', { body });
  expect(res.statusCode, res.body).toBe(200);
  return { sessionId: res.json().session_id, token: res.json().client_token };
}

function journey(token: string | null, method: 'GET' | 'POST', action: string, body?: object, kind = 'session') {
  return t.request(method, `/kp/v1/journey/${kind}/${action}`, {
    merchant: null,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    body: method === 'POST' ? (body ?? {}) : undefined,
  });
}

async function session(sessionId: string) {
  const res = await t.request('GET', `/payments/v1/sessions/${sessionId}`);
  return res.json();
}

async function eventTypes(sessionId: string): Promise<string[]> {
  const events = await t.kassa.deps.engine.store.listEvents(t.merchant.accountId, sessionType, sessionId);
  return events.map((e) => e.type);
}

const approve = (token: string, extra: object = {}) => journey(token, 'POST', 'approve', { email: 'customer@email.us', one_time_code: '123456', ...extra });

describe('journey endpoints: who may call them', () => {
  it('answers the context to the session’s client_token', async () => {
    const { token } = await newSession({ ...usOrder(), billing_address: { email: 'customer+pend-accept-05@email.us' } });
    const res = await journey(token, 'GET', 'context');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      kind: 'session',
      mode: 'sandbox',
      merchant_name: t.merchant.username,
      purchase_country: 'US',
      purchase_currency: 'USD',
      locale: 'en-US',
      order_amount: 10800,
      prefill: { email: 'customer+pend-accept-05@email.us' },
      one_time_code: { length: 6 },
    });
    expect(body.order_lines).toEqual([
      { name: 'Lamp', quantity: 2, total_amount: 10000, type: 'physical' },
      { name: 'Sales Tax', quantity: 1, total_amount: 800, type: 'sales_tax' },
    ]);
    expect(body.payment_method_categories.map((c: { identifier: string; plans: { id: string }[] }) => [c.identifier, c.plans.map((p) => p.id)])).toEqual([
      ['pay_later', ['30_days']],
      ['pay_over_time', ['3_months', '6_months', '12_months']],
    ]);
  });

  it.each([
    ['no Authorization header', null, 'Missing credential'],
    ['a malformed bearer', 'not a token', 'Missing credential'],
    ['a token Kassa did not sign', 'forged', 'Invalid client token'],
  ])('refuses %s with 401', async (_what, credential, message) => {
    let token = credential;
    if (credential === 'forged') {
      token = await new SignJWT({ session_id: 'x', account_id: t.merchant.accountId })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(t.config.publicUrl)
        .sign(new TextEncoder().encode('another-secret-another-secret-another'));
    }
    const res = await journey(token, 'GET', 'context');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error_code: 'UNAUTHORIZED' });
    expect(res.json().error_messages[0]).toContain(message);
  });

  it('refuses the merchant’s Basic credentials: the browser side never sees them', async () => {
    const res = await t.request('GET', '/kp/v1/journey/session/context');
    expect(res.statusCode).toBe(401);
  });

  it('answers 404 for a journey kind it does not know, before looking at the credential', async () => {
    const res = await journey(null, 'GET', 'context', undefined, 'mystery');
    expect(res.statusCode).toBe(404);
    expect(res.json().error_code).toBe('NOT_FOUND');
  });

  it('answers 404 SESSION_COMPLETED once an order was placed, and NOT_FOUND once expired', async () => {
    const done = await newSession();
    const approved = (await approve(done.token)).json();
    const order = await t.request('POST', `/payments/v1/authorizations/${approved.callback.authorization_token}/order`, { body: usOrder() });
    expect(order.statusCode, order.body).toBe(200);
    const completed = await journey(done.token, 'GET', 'context');
    expect([completed.statusCode, completed.json().error_code]).toEqual([404, 'SESSION_COMPLETED']);

    const stale = await newSession();
    await t.advance(48 * 3600 + 1);
    const expired = await journey(stale.token, 'GET', 'context');
    expect([expired.statusCode, expired.json().error_code, expired.json().error_messages]).toEqual([404, 'NOT_FOUND', ['Invalid session id']]);
  });
});

describe('journey endpoints: identify and one-time code', () => {
  it('identify says where the code went, masked, and writes nothing', async () => {
    const { token, sessionId } = await newSession();
    const res = await journey(token, 'POST', 'identify', { email: 'Customer@Email.us' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ sent_to: 'c******@email.us', code_length: 6 });
    expect(res.json().hint).toContain('999999');
    const phone = await journey(token, 'POST', 'identify', { phone: '+13106683312' });
    expect(phone.json().sent_to).toBe('+*******3312');
    expect(await eventTypes(sessionId)).toEqual(['session.created']);
  });

  it('identify refuses what is neither an email nor a phone, naming the field', async () => {
    const { token } = await newSession();
    const res = await journey(token, 'POST', 'identify', { email: 'customer' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error_code: 'BAD_VALUE', error_messages: ['Bad value: email (not an email address)'] });
  });

  it('verify passes any 6 digits and fails 999999', async () => {
    const { token } = await newSession();
    expect((await journey(token, 'POST', 'verify', { email: 'customer@email.us', one_time_code: '424242' })).statusCode).toBe(204);
    const failing = await journey(token, 'POST', 'verify', { email: 'customer@email.us', one_time_code: '999999' });
    expect(failing.statusCode).toBe(400);
    expect(failing.json().error_messages).toEqual(['Bad value: one_time_code (the code is not correct)']);
  });
});

describe('journey endpoints: approve and abort', () => {
  it('approves customer@email.us with an authorization token that places an order', async () => {
    const { token, sessionId } = await newSession();
    const res = await approve(token, { data: { billing_address: { given_name: 'Test', email: 'customer@email.us', country: 'US' } } });
    expect(res.statusCode, res.body).toBe(200);
    const outcome = res.json();
    expect(outcome).toMatchObject({ result: 'approved', callback: { approved: true, show_form: true } });
    expect(Object.keys(outcome.callback).sort()).toEqual(['approved', 'authorization_token', 'show_form']);
    const s = await session(sessionId);
    expect(s.authorization_token).toBe(outcome.callback.authorization_token);
    expect(s.billing_address).toMatchObject({ given_name: 'Test' });
    expect(s.customer).toMatchObject({ email: 'customer@email.us' });
    const order = await t.request('POST', `/payments/v1/authorizations/${outcome.callback.authorization_token}/order`, { body: usOrder() });
    expect(order.statusCode, order.body).toBe(200);
    expect(order.json().authorized_payment_method).toEqual({ type: 'invoice', number_of_days: 30 });
  });

  it('decides exactly as the sandbox authorize helper, persona for persona', async () => {
    const personas = ['customer@email.us', 'customer+denied@email.us', 'customer+red@email.us', 'customer+reject_reason_fraud@email.us', 'customer+pend-reject-07@email.us'];
    for (const email of personas) {
      const viaJourney = await newSession();
      const viaHelper = await newSession();
      const journeyOutcome = (await approve(viaJourney.token, { email })).json();
      const helper = (await t.request('POST', `/sandbox/v1/sessions/${viaHelper.sessionId}/authorize`, { body: { customer: { email } } })).json();
      expect([email, journeyOutcome.callback.approved, journeyOutcome.callback.show_form]).toEqual([email, helper.approved, helper.show_form]);
      if (helper.approved) {
        const a = await t.request('POST', `/payments/v1/authorizations/${journeyOutcome.callback.authorization_token}/order`, { body: usOrder() });
        const b = await t.request('POST', `/payments/v1/authorizations/${helper.authorization_token}/order`, { body: usOrder() });
        expect([email, a.json().fraud_status]).toEqual([email, b.json().fraud_status]);
      }
    }
  });

  it('declines customer+denied@email.us with show_form false and no token', async () => {
    const { token, sessionId } = await newSession();
    const res = await approve(token, { email: 'customer+denied@email.us' });
    expect(res.json()).toEqual({ result: 'declined', callback: { approved: false, show_form: false } });
    expect((await session(sessionId)).authorization_token).toBeUndefined();
    expect(await eventTypes(sessionId)).toEqual(['session.created', 'session.authorization_declined']);
  });

  it('a phone number identifies too (the denied playground phone is declined)', async () => {
    const { token } = await newSession();
    const res = await journey(token, 'POST', 'approve', { phone: '+1 310 635 4386', one_time_code: '123456' });
    expect(res.json().callback).toEqual({ approved: false, show_form: false });
  });

  it('the chosen pay-over-time plan becomes the order’s number of instalments', async () => {
    const { token } = await newSession();
    const outcome = (await approve(token, { payment_method_category: 'pay_over_time', plan: '3_months' })).json();
    const order = await t.request('POST', `/payments/v1/authorizations/${outcome.callback.authorization_token}/order`, { body: usOrder() });
    expect(order.json().authorized_payment_method).toEqual({ type: 'fixed_sum_credit', number_of_installments: 3 });
  });

  it.each([
    ['the failing code', { one_time_code: '999999' }, 'Bad value: one_time_code (the code is not correct)'],
    ['a malformed code', { one_time_code: '12' }, 'Bad value: one_time_code (six digits)'],
    ['no identity', { email: undefined }, 'Missing value: email (or phone)'],
    ['a category the session does not offer', { payment_method_category: 'pay_now' }, 'Bad value: payment_method_category (offered: pay_later, pay_over_time)'],
    ['a plan the category does not have', { payment_method_category: 'pay_later', plan: '12_months' }, 'Bad value: plan (offered for pay_later: 30_days)'],
    ['both the code and the category wrong: the code is checked first', { one_time_code: '999999', payment_method_category: 'pay_now' }, 'Bad value: one_time_code (the code is not correct)'],
  ])('refuses %s with 400 and writes nothing', async (_what, extra, message) => {
    const { token, sessionId } = await newSession();
    const res = await approve(token, extra);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error_code: 'BAD_VALUE', error_messages: [message] });
    expect(await eventTypes(sessionId)).toEqual(['session.created']);
    expect((await session(sessionId)).authorization_token).toBeUndefined();
  });

  it('abort answers the SDK’s "closed" callback and records it on the session', async () => {
    const { token, sessionId } = await newSession();
    expect((await journey(token, 'POST', 'enter')).statusCode).toBe(204);
    const res = await journey(token, 'POST', 'abort');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ result: 'aborted', callback: { approved: false, show_form: true } });
    expect(await eventTypes(sessionId)).toEqual(['session.created', 'session.journey_closed']);
    expect((await session(sessionId)).authorization_token).toBeUndefined();
  });
});
