/** Unit tests of the pure order-data rules (src/domain/session/validate-order.ts). */
import { describe, expect, it } from 'vitest';
import { expectedLineTax, validateOrderData } from '../../src/domain/session/validate-order.js';
import { germanOrderWithDiscount, swedishOrder, usOrder } from '../fixtures/orders.js';

describe('validateOrderData', () => {
  it('accepts valid orders', () => {
    expect(validateOrderData(swedishOrder())).toBeUndefined();
    expect(validateOrderData(germanOrderWithDiscount())).toBeUndefined();
    expect(validateOrderData(usOrder())).toBeUndefined();
  });

  it('allows the line tax to be off by one either way, not by two', () => {
    for (const delta of [-1, 1]) {
      const o = swedishOrder();
      o.order_lines[0]!.total_tax_amount += delta;
      o.order_tax_amount += delta;
      expect(validateOrderData(o)).toBeUndefined();
    }
    const o = swedishOrder();
    o.order_lines[0]!.total_tax_amount += 2;
    o.order_tax_amount += 2;
    expect(validateOrderData(o)?.messages[0]).toContain('order_lines[0].total_tax_amount');
  });

  it('computes the expected tax of a tax-inclusive total', () => {
    expect(expectedLineTax(12500, 2500)).toBe(2500);
    expect(expectedLineTax(10000, 0)).toBe(0);
  });

  it('checks in a fixed order: market before lines before sums', () => {
    const o: any = swedishOrder();
    o.purchase_currency = 'EUR';
    o.order_amount = 1;
    o.order_lines[0].total_amount = 5;
    expect(validateOrderData(o)?.messages[0]).toContain('purchase_currency');
    o.purchase_currency = 'SEK';
    expect(validateOrderData(o)?.messages[0]).toContain('order_lines[0].total_amount');
  });
});
