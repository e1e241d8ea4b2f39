/**
 * Identifier formats. Klarna's own ids are UUIDs (session, order, capture, refund, event ids);
 * v2 objects are KRNs (`krn:payment:eu1:request:<uuid>`). Object ids come from `Random.uuid()`
 * (time-ordered in production, which keeps the store's indexes append-mostly); ids that are
 * capabilities — authorization, customer and payment tokens — are version-4 UUIDs with 122 random
 * bits, so they reveal nothing (not even their creation time). Tokens are long random strings.
 */
import type { Random } from './ports.js';

export const ids = {
  session: (r: Random) => r.uuid(),
  order: (r: Random) => r.uuid(),
  capture: (r: Random) => r.uuid(),
  refund: (r: Random) => r.uuid(),
  event: (r: Random) => r.uuid(),
  outbox: (r: Random) => r.uuid(),
  timer: (r: Random) => r.uuid(),
  authorizationToken: (r: Random) => randomUuidV4(r),
  customerToken: (r: Random) => randomUuidV4(r),
  klarnaReference: (r: Random) => r.token(6).replace(/[^A-Za-z0-9]/g, 'X').toUpperCase().slice(0, 8),
  paymentRequest: (r: Random) => `krn:payment:eu1:request:${r.uuid()}`,
  paymentToken: (r: Random) => `krn:payment:eu1:payment-token:${randomUuidV4(r)}`,
  /** The customer's capability for a payment request's purchase journey (in payment_request_url only). */
  journeyToken: (r: Random) => r.token(32),
  paymentTransaction: (r: Random) => `krn:payment:eu1:transaction:${r.uuid()}`,
  correlation: (r: Random) => r.uuid(),
};

/** A version-4 UUID from 16 bytes of the injected randomness. */
export function randomUuidV4(r: Random): string {
  const b = Buffer.from(r.token(16), 'base64url');
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
