/**
 * Klarna's cross-field rules for order data (reference §1 "Validation rules"), checked after the
 * schema has checked types and lengths. Checks run in a fixed order so the same bad input always
 * gets the same message; the first failure wins and names the field:
 *   1. purchase_country is a Klarna market; 2. purchase_currency is that market's currency;
 *   3. locale is RFC 1766 (xx-XX); 4. each line: total_amount = quantity × unit_price −
 *   total_discount_amount; discount lines negative; total_tax_amount within ±1 of
 *   total_amount − total_amount × 10000 / (10000 + tax_rate); US lines carry no tax (tax is a
 *   separate `sales_tax` line); 5. order_amount = Σ total_amount; 6. order_tax_amount = Σ line tax
 *   (US: Σ sales_tax lines).
 * Pure: returns a Rejection (400 BAD_VALUE) or undefined.
 */
import { marketOf } from '../decision/markets.js';
import { reject, type Rejection } from '../errors.js';
import type { OrderLine } from '../order/order-state.js';

export interface OrderData {
  purchase_country: string;
  purchase_currency: string;
  locale?: string;
  order_amount: number;
  order_tax_amount?: number;
  order_lines: OrderLine[];
}

const bad = (field: string, reason: string): Rejection => reject('BAD_VALUE', `Bad value: ${field} (${reason})`);

export const localePattern = /^[a-z]{2}-[A-Z]{2}$/i;

export function validateMarket(country: string, currency: string, locale: string | undefined): Rejection | undefined {
  const market = marketOf(country);
  if (!market) return bad('purchase_country', `${country} is not a supported purchase country`);
  if (currency.toUpperCase() !== market.currency) return bad('purchase_currency', `${market.country} purchases are in ${market.currency}`);
  if (locale !== undefined && !localePattern.test(locale)) return bad('locale', 'expected an RFC 1766 locale such as en-US');
  return undefined;
}

/** The tax Klarna expects in a tax-inclusive total at `taxRate` (2 implicit decimals). */
export function expectedLineTax(totalAmount: number, taxRate: number): number {
  return totalAmount - (totalAmount * 10000) / (10000 + taxRate);
}

export function validateOrderLines(lines: readonly OrderLine[], country: string, path = 'order_lines'): Rejection | undefined {
  const salesTaxStyle = marketOf(country)?.salesTax ?? false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const at = `${path}[${i}]`;
    const discount = line.total_discount_amount ?? 0;
    if (line.total_amount !== line.quantity * line.unit_price - discount) {
      return bad(`${at}.total_amount`, 'must equal quantity × unit_price − total_discount_amount');
    }
    if (line.type === 'discount' && line.total_amount > 0) return bad(`${at}.total_amount`, 'discount lines carry negative amounts');
    if (line.type === 'sales_tax' && !salesTaxStyle) return bad(`${at}.type`, `sales_tax lines are only used in US-style markets, not ${country}`);
    if (salesTaxStyle && line.type !== 'sales_tax') {
      if ((line.tax_rate ?? 0) !== 0) return bad(`${at}.tax_rate`, 'US orders carry tax as a separate sales_tax line, not a tax_rate');
      if ((line.total_tax_amount ?? 0) !== 0) return bad(`${at}.total_tax_amount`, 'US orders carry tax as a separate sales_tax line');
      continue;
    }
    if (line.type === 'sales_tax') continue;
    const taxRate = line.tax_rate ?? 0;
    const tax = line.total_tax_amount ?? 0;
    if (Math.abs(tax - expectedLineTax(line.total_amount, taxRate)) > 1) {
      return bad(`${at}.total_tax_amount`, `must be within ±1 of total_amount − total_amount × 10000 / (10000 + tax_rate)`);
    }
    if (line.type === 'discount' && tax > 0) return bad(`${at}.total_tax_amount`, 'discount lines carry negative amounts');
  }
  return undefined;
}

export function sumLines(lines: readonly OrderLine[]): { amount: number; tax: number; salesTax: number } {
  let amount = 0;
  let tax = 0;
  let salesTax = 0;
  for (const line of lines) {
    amount += line.total_amount;
    if (line.type === 'sales_tax') salesTax += line.total_amount;
    else tax += line.total_tax_amount ?? 0;
  }
  return { amount, tax, salesTax };
}

export function validateOrderData(data: OrderData): Rejection | undefined {
  const market = validateMarket(data.purchase_country, data.purchase_currency, data.locale);
  if (market) return market;
  const lines = validateOrderLines(data.order_lines, data.purchase_country);
  if (lines) return lines;
  const sums = sumLines(data.order_lines);
  if (data.order_amount !== sums.amount) return bad('order_amount', `must equal the sum of order_lines[].total_amount (${sums.amount})`);
  const salesTaxStyle = marketOf(data.purchase_country)?.salesTax ?? false;
  const expectedTax = salesTaxStyle ? sums.salesTax : sums.tax;
  if ((data.order_tax_amount ?? 0) !== expectedTax) {
    return bad('order_tax_amount', salesTaxStyle ? `must equal the sales_tax lines' total (${expectedTax})` : `must equal the sum of order_lines[].total_tax_amount (${expectedTax})`);
  }
  return undefined;
}
