/**
 * Checks shared by every v2 call that carries a purchase (authorize, create and update a payment
 * request): a supported currency, and line items that add up to the amount (the Web SDK docs:
 * "the total sum of the line items must match the payment amount"). Field paths are passed in
 * because authorize nests them differently from the payment request endpoints.
 */
import { KassaError } from '../../domain/errors.js';
import { markets } from '../../domain/decision/markets.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import { isValidReturnUrl } from '../../domain/payment-request/return-url.js';
import type { CustomerInteractionConfig } from '../../domain/payment-request/payment-request-state.js';

const currencies = new Set(markets.map((m) => m.currency));

/** The purchase country Kassa books a v2 transaction in when the partner gives none: the currency's main market. */
const mainMarket: Record<string, string> = { EUR: 'DE' };

export function countryFor(currency: string, supplementary: JsonObject | undefined): string {
  const customer = supplementary?.customer as JsonObject | undefined;
  const address = customer?.address as JsonObject | undefined;
  const given = typeof address?.country === 'string' ? address.country.toUpperCase() : undefined;
  if (given && markets.some((m) => m.country === given && m.currency === currency)) return given;
  return mainMarket[currency] ?? markets.find((m) => m.currency === currency)!.country;
}

export interface LineItem {
  name: string;
  quantity: number;
  total_amount: number;
  unit_price?: number;
  total_tax_amount?: number;
  line_item_reference?: string;
  product_url?: string;
  image_url?: string;
}

export function checkPurchase(input: { amount: number; currency: string; supplementary?: JsonObject }, fields: { amount: string; currency: string; supplementary: string }): void {
  if (!currencies.has(input.currency)) {
    throw new KassaError('BAD_VALUE', [`Bad value: ${fields.currency} (unsupported currency; one of ${[...currencies].sort().join(', ')})`]);
  }
  const items = input.supplementary?.line_items as LineItem[] | undefined;
  if (items && items.length > 0) {
    const total = items.reduce((s, i) => s + i.total_amount, 0);
    if (total !== input.amount) {
      throw new KassaError('BAD_VALUE', [`Bad value: ${fields.supplementary}.line_items (total_amount adds up to ${total}, ${fields.amount} is ${input.amount})`]);
    }
  }
}

export function checkInteractionConfig(config: CustomerInteractionConfig | undefined, field: string): void {
  if (!config) return;
  if (config.return_url !== undefined && !isValidReturnUrl(config.return_url)) {
    throw new KassaError('BAD_VALUE', [`Bad value: ${field}.return_url (an absolute http(s) URL; placeholders allowed)`]);
  }
  if (config.app_return_url !== undefined && !isValidReturnUrl(config.app_return_url, appSchemes(config.app_return_url))) {
    throw new KassaError('BAD_VALUE', [`Bad value: ${field}.app_return_url (an absolute URL)`]);
  }
}

/** An app return URL may use the app's own scheme (myapp://), but never a script-running one. */
function appSchemes(url: string): string[] {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || ['javascript', 'data', 'vbscript', 'file'].includes(scheme)) return [];
  return [`${scheme}:`];
}
