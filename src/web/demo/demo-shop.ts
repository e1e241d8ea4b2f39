/**
 * The demo shop's catalogue and cart pricing: a small US store (USD, New York sales tax as a
 * separate `sales_tax` line, as Klarna's US rules want; reference §1). The shop is the merchant's
 * own source of truth: it builds the order data from its catalogue and the cart for the session
 * and again, identically, for the order, so Klarna's "data must match what was authorized" check
 * holds. Pure: no I/O.
 */
import { KassaError } from '../../domain/errors.js';
import type { OrderLine } from '../../domain/order/order-state.js';

export interface Product {
  sku: string;
  name: string;
  unit_price: number;
}

export const catalogue: readonly Product[] = [
  { sku: 'KO-MUG', name: 'Enamel camp mug', unit_price: 1800 },
  { sku: 'KO-NOTE', name: 'Field notebook, 3-pack', unit_price: 1250 },
  { sku: 'KO-SOCK', name: 'Merino hiking socks', unit_price: 2400 },
  { sku: 'KO-PACK', name: 'Canvas daypack', unit_price: 7900 },
];

/** What a newcomer finds in the cart: enough for every US category, pay over time included. */
export const defaultCart: Record<string, number> = { 'KO-MUG': 2, 'KO-PACK': 1 };

export const shippingFee = 495;
/** Sales tax of 8.88 % (hundredths of a percent), on goods and shipping. */
export const salesTaxRate = 888;
export const quantityMax = 10;

export interface DemoOrderData {
  purchase_country: 'US';
  purchase_currency: 'USD';
  locale: 'en-US';
  order_amount: number;
  order_tax_amount: number;
  order_lines: OrderLine[];
}

export function salesTaxOf(amount: number): number {
  return Math.round((amount * salesTaxRate) / 10000);
}

/** The order data for a cart, or 400 BAD_VALUE naming the offending cart field. */
export function priceCart(cart: readonly { sku: string; quantity: number }[]): DemoOrderData {
  const lines: OrderLine[] = [];
  const seen = new Set<string>();
  cart.forEach((item, i) => {
    const product = catalogue.find((p) => p.sku === item.sku);
    if (!product) throw new KassaError('BAD_VALUE', [`Bad value: cart[${i}].sku (not in the catalogue)`]);
    if (seen.has(item.sku)) throw new KassaError('BAD_VALUE', [`Bad value: cart[${i}].sku (listed twice)`]);
    seen.add(item.sku);
    if (!Number.isInteger(item.quantity) || item.quantity < 0 || item.quantity > quantityMax) {
      throw new KassaError('BAD_VALUE', [`Bad value: cart[${i}].quantity (0 to ${quantityMax})`]);
    }
    if (item.quantity === 0) return;
    lines.push({ type: 'physical', reference: product.sku, name: product.name, quantity: item.quantity, unit_price: product.unit_price, total_amount: item.quantity * product.unit_price });
  });
  if (lines.length === 0) throw new KassaError('BAD_VALUE', ['Bad value: cart (add at least one item)']);
  const goods = lines.reduce((sum, l) => sum + l.total_amount, 0);
  lines.push({ type: 'shipping_fee', reference: 'SHIP-STD', name: 'Standard shipping', quantity: 1, unit_price: shippingFee, total_amount: shippingFee });
  const tax = salesTaxOf(goods + shippingFee);
  lines.push({ type: 'sales_tax', name: 'Sales Tax', quantity: 1, unit_price: tax, total_amount: tax });
  return {
    purchase_country: 'US',
    purchase_currency: 'USD',
    locale: 'en-US',
    order_amount: goods + shippingFee + tax,
    order_tax_amount: tax,
    order_lines: lines,
  };
}
