/**
 * Which payment method categories a purchase gets, by purchase country, currency and amount.
 * Klarna decides this per merchant contract; Kassa uses one fixed, documented matrix
 * (docs/payment-methods.md) so tests and integrators can rely on it.
 *
 * | category        | markets                          | amount (minor units)         |
 * |-----------------|----------------------------------|------------------------------|
 * | pay_now         | EU markets (not US/GB/AU/CA/…)   | any amount > 0               |
 * | pay_later       | every market                     | 1 – 1 000 000 (e.g. ≤ 10 000.00) |
 * | pay_over_time   | every market                     | 3 500 – 10 000 000           |
 * With intent `tokenize`, only pay_later (invoice/card-on-file style) is offered.
 */
import { marketOf } from './markets.js';

export type PaymentMethodCategoryId = 'pay_now' | 'pay_later' | 'pay_over_time';

export interface PaymentMethodCategory {
  identifier: PaymentMethodCategoryId;
  name: string;
  asset_urls: { descriptive: string; standard: string };
}

const names: Record<PaymentMethodCategoryId, string> = {
  pay_now: 'Pay now',
  pay_later: 'Pay later',
  pay_over_time: 'Pay over time',
};

export function paymentMethodCategories(country: string, amount: number, intent: string, assetBase: string): PaymentMethodCategory[] {
  const market = marketOf(country);
  const ids: PaymentMethodCategoryId[] = [];
  if (intent !== 'tokenize' && market?.payNow && amount > 0) ids.push('pay_now');
  if (amount >= 1 && amount <= 1_000_000) ids.push('pay_later');
  if (intent !== 'tokenize' && amount >= 3_500 && amount <= 10_000_000) ids.push('pay_over_time');
  if (ids.length === 0 && intent === 'tokenize') ids.push('pay_later');
  return ids.map((identifier) => ({
    identifier,
    name: names[identifier],
    asset_urls: {
      descriptive: `${assetBase}/assets/${identifier}/descriptive.svg`,
      standard: `${assetBase}/assets/${identifier}/standard.svg`,
    },
  }));
}

/**
 * What `authorized_payment_method` reports for a category, and the OM `initial_payment_method`.
 * `installments` is the plan the customer chose in the purchase journey (pay_over_time only).
 */
export function authorizedPaymentMethod(category: PaymentMethodCategoryId, amount: number, installments?: number): {
  authorized: { type: string; number_of_days?: number; number_of_installments?: number };
  initial: { type: string; description: string; number_of_installments?: number };
} {
  switch (category) {
    case 'pay_now':
      return { authorized: { type: 'direct_debit' }, initial: { type: 'DIRECT_DEBIT', description: 'Pay now' } };
    case 'pay_over_time': {
      const n = installments ?? (amount >= 100_000 ? 12 : 6);
      return { authorized: { type: 'fixed_sum_credit', number_of_installments: n }, initial: { type: 'FIXED_SUM_CREDIT', description: 'Pay over time', number_of_installments: n } };
    }
    default:
      return { authorized: { type: 'invoice', number_of_days: 30 }, initial: { type: 'INVOICE', description: 'Pay later in 30 days' } };
  }
}
