/**
 * The markets Kassa knows: purchase country -> the currency Klarna requires there, and whether
 * bank payments (pay_now) are offered. A session in an unknown country, or in a currency that is
 * not the country's, is refused with 400 BAD_VALUE naming the field.
 */
export interface Market {
  country: string;
  currency: string;
  payNow: boolean;
  /** US-style sales tax: tax as a separate `sales_tax` line, no tax_rate on lines. */
  salesTax: boolean;
}

const table: Market[] = [
  ['AT', 'EUR', true], ['BE', 'EUR', true], ['DE', 'EUR', true], ['ES', 'EUR', true], ['FI', 'EUR', true],
  ['FR', 'EUR', true], ['GR', 'EUR', true], ['IE', 'EUR', true], ['IT', 'EUR', true], ['NL', 'EUR', true],
  ['PT', 'EUR', true], ['SK', 'EUR', true], ['SE', 'SEK', true], ['NO', 'NOK', true], ['DK', 'DKK', true],
  ['CH', 'CHF', true], ['PL', 'PLN', true], ['CZ', 'CZK', true], ['HU', 'HUF', true], ['RO', 'RON', true],
  ['GB', 'GBP', false], ['US', 'USD', false], ['CA', 'CAD', false], ['AU', 'AUD', false], ['NZ', 'NZD', false],
  ['MX', 'MXN', false],
].map(([country, currency, payNow]) => ({ country: country as string, currency: currency as string, payNow: payNow as boolean, salesTax: country === 'US' }));

const byCountry = new Map(table.map((m) => [m.country, m]));

export function marketOf(country: string): Market | undefined {
  return byCountry.get(country.toUpperCase());
}

export const markets: readonly Market[] = table;
