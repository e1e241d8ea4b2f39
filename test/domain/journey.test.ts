/** The purchase journey's pure rules: the one-time code, the identity, the plan matrix. */
import { describe, expect, it } from 'vitest';
import { authorizedPaymentMethod } from '../../src/domain/decision/payment-methods.js';
import { isRejection } from '../../src/domain/errors.js';
import { maskIdentity, parseIdentity } from '../../src/domain/journey/identity.js';
import { chosenInstalments, instalmentPlans, splitAmount } from '../../src/domain/journey/instalment-plans.js';
import { checkOneTimeCode } from '../../src/domain/journey/one-time-code.js';

describe('one-time code (any 6 digits except 999999, as in Klarna’s playground)', () => {
  it.each(['123456', '000000', '999998'])('%s passes', (code) => {
    expect(checkOneTimeCode(code)).toBeUndefined();
  });

  it('999999 always fails, naming the field', () => {
    expect(checkOneTimeCode('999999')).toMatchObject({ code: 'BAD_VALUE', messages: ['Bad value: one_time_code (the code is not correct)'] });
  });

  it.each([['12345'], ['1234567'], ['12a456'], [' 123456'], [123456], [undefined]])('%j is malformed', (code) => {
    expect(checkOneTimeCode(code)).toMatchObject({ code: 'BAD_VALUE', messages: ['Bad value: one_time_code (six digits)'] });
  });
});

describe('journey identity', () => {
  it('normalizes an email and keeps a phone', () => {
    expect(parseIdentity({ email: '  Customer+Denied@Email.US ' })).toEqual({ email: 'customer+denied@email.us' });
    expect(parseIdentity({ phone: '+1 (310) 635-4386' })).toEqual({ phone: '+1 (310) 635-4386' });
  });

  it.each([
    [{}, 'Missing value: email (or phone)'],
    [{ email: 'not-an-email' }, 'Bad value: email (not an email address)'],
    [{ email: 'a@b' }, 'Bad value: email (not an email address)'],
    [{ phone: '12345' }, 'Bad value: phone (not a phone number)'],
    [{ phone: '+1 310 abc 4386' }, 'Bad value: phone (not a phone number)'],
  ])('%j is refused', (input, message) => {
    const result = parseIdentity(input);
    expect(isRejection(result) && result.messages).toEqual([message]);
  });

  it('masks what the customer is told the code went to', () => {
    expect(maskIdentity({ email: 'customer@email.us' })).toBe('c******@email.us');
    expect(maskIdentity({ email: 'a@b.us' })).toBe('a*@b.us');
    expect(maskIdentity({ phone: '+13106683312' })).toBe('+*******3312');
  });
});

describe('instalment plans', () => {
  it('splits an amount into integer instalments that add up to it', () => {
    for (const [amount, n] of [[13060, 3], [13060, 6], [13060, 12], [3500, 6], [100, 3]] as const) {
      const parts = splitAmount(amount, n);
      expect(parts).toHaveLength(n);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(amount);
      expect(parts.every((p) => Number.isInteger(p))).toBe(true);
      expect(Math.max(...parts) - Math.min(...parts)).toBeLessThan(n);
    }
  });

  it('pay now and pay later have one plan; pay over time offers 3, 6 and 12 months while instalments stay ≥ 5.00', () => {
    expect(instalmentPlans('pay_now', 13060).map((p) => p.id)).toEqual(['now']);
    expect(instalmentPlans('pay_later', 13060)).toEqual([{ id: '30_days', instalments: 1, schedule: [{ amount: 13060, due_in_days: 30 }], default: true }]);
    expect(instalmentPlans('pay_over_time', 13060).map((p) => p.id)).toEqual(['3_months', '6_months', '12_months']);
    expect(instalmentPlans('pay_over_time', 3500).map((p) => p.id)).toEqual(['3_months', '6_months']);
  });

  it('the default plan is the one the order gets when the customer picks none', () => {
    for (const amount of [3500, 13060, 99999, 100000, 500000]) {
      const granted = authorizedPaymentMethod('pay_over_time', amount).authorized.number_of_installments;
      const defaults = instalmentPlans('pay_over_time', amount).filter((p) => p.default);
      expect(defaults.map((p) => p.instalments)).toEqual([granted]);
    }
  });

  it('every plan’s schedule adds up to the amount, monthly', () => {
    for (const plan of instalmentPlans('pay_over_time', 250000)) {
      expect(plan.schedule.reduce((a, p) => a + p.amount, 0)).toBe(250000);
      expect(plan.schedule.map((p) => p.due_in_days)).toEqual(plan.schedule.map((_, i) => i * 30));
    }
  });

  it('a chosen plan becomes the instalment count (pay over time only); an unknown one is refused', () => {
    expect(chosenInstalments('pay_over_time', 13060, '3_months')).toBe(3);
    expect(chosenInstalments('pay_over_time', 13060, undefined)).toBeUndefined();
    expect(chosenInstalments('pay_later', 13060, '30_days')).toBeUndefined();
    expect(chosenInstalments('pay_over_time', 3500, '12_months')).toMatchObject({ code: 'BAD_VALUE', messages: ['Bad value: plan (offered for pay_over_time: 3_months, 6_months)'] });
    expect(chosenInstalments('pay_later', 13060, '3_months')).toMatchObject({ code: 'BAD_VALUE' });
  });

  it('authorizedPaymentMethod reports the chosen count', () => {
    expect(authorizedPaymentMethod('pay_over_time', 13060, 3).authorized).toEqual({ type: 'fixed_sum_credit', number_of_installments: 3 });
    expect(authorizedPaymentMethod('pay_over_time', 13060).authorized).toEqual({ type: 'fixed_sum_credit', number_of_installments: 6 });
  });
});
