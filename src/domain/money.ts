/**
 * Money is an integer number of minor units (2500 = 25.00) with its currency. Never floats, never
 * mixed currencies. Broken invariants here are bugs, so they assert.
 */
import { invariant } from './invariant.js';

/** Largest amount Kassa accepts anywhere (Klarna's SDK documents 200 000 000 for line prices). */
export const amountMax = 200_000_000;

export function isMinorUnits(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) {
    invariant(Number.isSafeInteger(v), 'sum: amounts are integers');
    total += v;
  }
  invariant(Number.isSafeInteger(total), 'sum: total stays a safe integer');
  return total;
}
