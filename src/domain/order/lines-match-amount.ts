/**
 * The order lines a capture or refund carries must describe its amount, as an order's lines must
 * describe its order_amount (validate-order.ts): each line adds up (total_amount = quantity ×
 * unit_price − total_discount_amount, tax within ±1) and Σ total_amount equals the amount.
 * Klarna documents order_lines on captures and refunds without saying it checks them; Kassa checks
 * them like an order's, so a capture of 100 whose lines total 9000 is 400 BAD_VALUE naming the
 * amount field, not a capture whose invoice contradicts its amount (docs/order-management.md).
 * Lines are optional: none, or an empty list, means no itemisation and nothing to check.
 */
import { reject, type Rejection } from '../errors.js';
import { sumLines, validateOrderLines } from '../session/validate-order.js';
import type { OrderLine } from './order-state.js';

export function linesMatchAmount(lines: readonly OrderLine[] | undefined, amount: number, amountField: string, country: string): Rejection | undefined {
  if (!lines || lines.length === 0) return undefined;
  const line = validateOrderLines(lines, country);
  if (line) return line;
  const total = sumLines(lines).amount;
  if (total !== amount) return reject('BAD_VALUE', `Bad value: ${amountField} (must equal the sum of order_lines[].total_amount (${total}))`);
  return undefined;
}
