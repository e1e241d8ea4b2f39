/**
 * Klarna's risk decision, emulated with the playground personas (reference §5). The same function
 * decides for the sandbox authorize helper, the browser purchase journey, customer-token orders,
 * v2 payment requests and raised authorizations, so personas behave identically everywhere.
 *
 * Personas (the email's local part, any domain; or the listed US phone numbers):
 * - `customer+denied@…` / +13106354386  -> declined (approved: false, show_form: false)
 * - `customer+red@…`                    -> declined, payment method not shown (show_form: false)
 * - `customer+reject_reason_<r>@…`      -> declined with reason <r>
 * - `…+pend-accept-NN@…` / `…+pend-reject-NN@…` -> approved, fraud_status PENDING, decided after NN minutes
 * - anything else, or no customer data  -> approved, fraud_status ACCEPTED
 */

export type FraudStatus = 'ACCEPTED' | 'PENDING' | 'REJECTED';

export interface PurchaseSubject {
  email?: string;
  phone?: string;
}

export type PurchaseDecision =
  | { approved: true; fraudStatus: 'ACCEPTED' }
  | { approved: true; fraudStatus: 'PENDING'; review: { outcome: 'ACCEPTED' | 'REJECTED'; afterMinutes: number } }
  | { approved: false; showForm: false; reason: string };

const deniedPhones = new Set(['+13106354386']);

export function decidePurchase(subject: PurchaseSubject): PurchaseDecision {
  const email = subject.email?.trim().toLowerCase();
  const phone = subject.phone?.replace(/[\s()-]/g, '');
  if (phone && deniedPhones.has(phone)) return { approved: false, showForm: false, reason: 'denied' };
  if (!email) return { approved: true, fraudStatus: 'ACCEPTED' };
  const local = email.split('@')[0] ?? '';
  const tag = local.includes('+') ? local.slice(local.indexOf('+') + 1) : '';
  if (tag === 'denied') return { approved: false, showForm: false, reason: 'denied' };
  if (tag === 'red') return { approved: false, showForm: false, reason: 'payment_method_not_available' };
  const rejectReason = /^reject_reason_([a-z0-9_]+)$/.exec(tag);
  if (rejectReason) return { approved: false, showForm: false, reason: rejectReason[1]! };
  const pending = /^pend-(accept|reject)-(\d{2})$/.exec(tag);
  if (pending) {
    return { approved: true, fraudStatus: 'PENDING', review: { outcome: pending[1] === 'accept' ? 'ACCEPTED' : 'REJECTED', afterMinutes: Number(pending[2]) } };
  }
  return { approved: true, fraudStatus: 'ACCEPTED' };
}
