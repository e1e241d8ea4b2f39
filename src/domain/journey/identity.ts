/**
 * How the customer identifies in the purchase journey: an email address or a mobile phone number
 * (E.164-ish: an optional +, 7–15 digits, spaces, dashes and brackets allowed). The journey passes
 * the identity on as the purchase subject, so the playground personas decide (decide-purchase.ts).
 */
import { reject, type Rejection } from '../errors.js';

export interface JourneyIdentity {
  email?: string;
  phone?: string;
}

const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;
const phonePattern = /^\+?[\d\s()-]{7,24}$/;

/** The identity normalized (trimmed, email lower-cased), or a 400 naming the field. */
export function parseIdentity(input: { email?: unknown; phone?: unknown }): JourneyIdentity | Rejection {
  const email = typeof input.email === 'string' ? input.email.trim() : undefined;
  const phone = typeof input.phone === 'string' ? input.phone.trim() : undefined;
  if (!email && !phone) return reject('BAD_VALUE', 'Missing value: email (or phone)');
  if (email && (email.length > 100 || !emailPattern.test(email))) return reject('BAD_VALUE', 'Bad value: email (not an email address)');
  if (phone) {
    const digits = phone.replace(/\D/g, '');
    if (!phonePattern.test(phone) || digits.length < 7 || digits.length > 15) return reject('BAD_VALUE', 'Bad value: phone (not a phone number)');
  }
  return { ...(email ? { email: email.toLowerCase() } : {}), ...(phone ? { phone } : {}) };
}

/** What the journey shows as "we sent a code to …": enough to recognize, not the whole address. */
export function maskIdentity(identity: JourneyIdentity): string {
  if (identity.email) {
    const [local = '', domain = ''] = identity.email.split('@');
    return `${local.slice(0, 1)}${'*'.repeat(Math.max(1, Math.min(local.length - 1, 6)))}@${domain}`;
  }
  const phone = identity.phone ?? '';
  const digits = phone.replace(/\D/g, '');
  return `${phone.startsWith('+') ? '+' : ''}${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
}
