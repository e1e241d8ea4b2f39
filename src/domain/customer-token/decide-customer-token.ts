/**
 * Pure decisions of the Customer Token API v1 (reference §3), checked against the token machine:
 * - charge (create an order): only an ACTIVE token; otherwise 403 CUSTOMER_TOKEN_NOT_ACTIVE
 *   (Kassa's code: Klarna documents a 403 without naming it). The purchase is then decided again on
 *   the token's subject (personas), a decline being 403 REJECTED with `fraud_status` and `reason`
 *   in the error body.
 * - cancel: ACTIVE or SUSPENDED -> CANCELLED; cancelling a cancelled token again is accepted and
 *   changes nothing (202 either way), so retries are safe.
 */
import { decidePurchase, type PurchaseDecision } from '../decision/decide-purchase.js';
import { reject, type Rejection } from '../errors.js';
import { nextState } from '../machine.js';
import { customerTokenMachine } from './customer-token-machine.js';
import type { CustomerTokenState } from './customer-token-state.js';

export type ApprovedPurchase = Extract<PurchaseDecision, { approved: true }>;

export function decideTokenCharge(token: CustomerTokenState): ApprovedPurchase | Rejection {
  if (!nextState(customerTokenMachine, token.status, 'charge')) {
    return reject('CUSTOMER_TOKEN_NOT_ACTIVE', `Customer token is ${token.status}; it cannot be used to place orders`);
  }
  const decision = decidePurchase(token.internal.subject ?? {});
  if (!decision.approved) {
    return { ...reject('REJECTED', 'The purchase was rejected'), extra: { fraud_status: 'REJECTED', reason: decision.reason } };
  }
  return decision;
}

export function decideTokenCancel(token: CustomerTokenState): { token: CustomerTokenState; changed: boolean } | Rejection {
  if (token.status === 'CANCELLED') return { token, changed: false };
  const to = nextState(customerTokenMachine, token.status, 'cancel');
  if (!to) return reject('INVALID_OPERATION', `Customer token is ${token.status}; it cannot be cancelled`);
  return { token: { ...token, status: to }, changed: true };
}

/** Sandbox helper: suspend an ACTIVE token or resume a SUSPENDED one (same status again: no change). */
export function decideTokenSandboxStatus(token: CustomerTokenState, status: 'ACTIVE' | 'SUSPENDED'): { token: CustomerTokenState; changed: boolean } | Rejection {
  if (token.status === status) return { token, changed: false };
  const to = nextState(customerTokenMachine, token.status, status === 'SUSPENDED' ? 'suspend' : 'resume');
  if (!to) return reject('INVALID_OPERATION', `Customer token is ${token.status}; it cannot become ${status}`);
  return { token: { ...token, status: to }, changed: true };
}
