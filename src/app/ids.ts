/**
 * Identifier formats. Klarna's own ids are UUIDs (session, order, capture, refund, event ids);
 * v2 objects are KRNs (`krn:payment:eu1:request:<uuid>`). Tokens are long random strings.
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
  authorizationToken: (r: Random) => r.uuid(),
  customerToken: (r: Random) => r.uuid(),
  klarnaReference: (r: Random) => r.token(6).replace(/[^A-Za-z0-9]/g, 'X').toUpperCase().slice(0, 8),
  paymentRequest: (r: Random) => `krn:payment:eu1:request:${r.uuid()}`,
  paymentToken: (r: Random) => `krn:payment:eu1:payment-token:${r.uuid()}`,
  /** The customer's capability for a payment request's purchase journey (in payment_request_url only). */
  journeyToken: (r: Random) => r.token(32),
  paymentTransaction: (r: Random) => `krn:payment:eu1:transaction:${r.uuid()}`,
  correlation: (r: Random) => r.uuid(),
};
