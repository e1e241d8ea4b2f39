/**
 * The plans the purchase journey offers per payment method category, with their payment schedule
 * in integer minor units (the instalments always add up to the amount; the first one carries the
 * rounding remainder). Kassa's fixed, documented matrix (docs/journey.md):
 *
 * | category       | plans                                                             |
 * |----------------|-------------------------------------------------------------------|
 * | pay_now        | one: the whole amount now                                         |
 * | pay_later      | one: the whole amount in 30 days                                  |
 * | pay_over_time  | 3, 6 or 12 monthly instalments, each offered while an instalment  |
 * |                | is at least 500 minor units; the default is the one               |
 * |                | authorizedPaymentMethod() grants when the customer picks nothing  |
 *
 * Only pay_over_time gives the customer a choice; the chosen count becomes the order's
 * `authorized_payment_method.number_of_installments`.
 */
import { authorizedPaymentMethod, type PaymentMethodCategoryId } from '../decision/payment-methods.js';
import { reject, type Rejection } from '../errors.js';

export interface InstalmentPlan {
  /** Stable id the journey sends back: `now`, `30_days`, `3_months`, `6_months`, `12_months`. */
  id: string;
  instalments: number;
  /** Payments in minor units, in order; they sum to the purchase amount. */
  schedule: { amount: number; due_in_days: number }[];
  default: boolean;
}

export const instalmentCounts = [3, 6, 12] as const;
export const instalmentAmountMin = 500;

/** Splits `amount` into `n` integer parts that add up to it; the first part takes the remainder. */
export function splitAmount(amount: number, n: number): number[] {
  const base = Math.floor(amount / n);
  const parts = Array.from({ length: n }, () => base);
  parts[0] = amount - base * (n - 1);
  return parts;
}

export function instalmentPlans(category: PaymentMethodCategoryId, amount: number): InstalmentPlan[] {
  if (category === 'pay_now') return [{ id: 'now', instalments: 1, schedule: [{ amount, due_in_days: 0 }], default: true }];
  if (category === 'pay_later') return [{ id: '30_days', instalments: 1, schedule: [{ amount, due_in_days: 30 }], default: true }];
  const granted = authorizedPaymentMethod(category, amount).authorized.number_of_installments;
  const counts = instalmentCounts.filter((n) => n === granted || amount / n >= instalmentAmountMin);
  return counts.map((n) => ({
    id: `${n}_months`,
    instalments: n,
    schedule: splitAmount(amount, n).map((part, i) => ({ amount: part, due_in_days: i * 30 })),
    default: n === granted,
  }));
}

/** The instalment count for a plan id the customer chose, or a 400 naming `plan`. */
export function chosenInstalments(category: PaymentMethodCategoryId, amount: number, planId: string | undefined): number | undefined | Rejection {
  const plans = instalmentPlans(category, amount);
  if (planId === undefined) return undefined;
  const plan = plans.find((p) => p.id === planId);
  if (!plan) return reject('BAD_VALUE', `Bad value: plan (offered for ${category}: ${plans.map((p) => p.id).join(', ')})`);
  return category === 'pay_over_time' ? plan.instalments : undefined;
}
