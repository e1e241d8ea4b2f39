/** The persona table of the decision engine (reference §5). */
import { describe, expect, it } from 'vitest';
import { decidePurchase } from '../../src/domain/decision/decide-purchase.js';

describe('decidePurchase', () => {
  it.each([
    [{}, { approved: true, fraudStatus: 'ACCEPTED' }],
    [{ email: 'customer@email.us' }, { approved: true, fraudStatus: 'ACCEPTED' }],
    [{ email: 'Customer+Denied@Email.DE' }, { approved: false, showForm: false, reason: 'denied' }],
    [{ phone: '+1 310 635 4386' }, { approved: false, showForm: false, reason: 'denied' }],
    [{ email: 'customer+red@email.se' }, { approved: false, showForm: false, reason: 'payment_method_not_available' }],
    [{ email: 'customer+reject_reason_too_young@email.us' }, { approved: false, showForm: false, reason: 'too_young' }],
    [{ email: 'jane+pend-accept-05@shop.us' }, { approved: true, fraudStatus: 'PENDING', review: { outcome: 'ACCEPTED', afterMinutes: 5 } }],
    [{ email: 'jane+pend-reject-99@shop.us' }, { approved: true, fraudStatus: 'PENDING', review: { outcome: 'REJECTED', afterMinutes: 99 } }],
    [{ email: 'jane+pend-reject-5@shop.us' }, { approved: true, fraudStatus: 'ACCEPTED' }],
  ])('%j -> %j', (subject, decision) => expect(decidePurchase(subject)).toEqual(decision));
});
