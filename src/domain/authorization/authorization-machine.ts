/**
 * The authorization machine. A `valid` token is consumed by what its intent allows: `buy` -> one
 * order; `tokenize` -> one customer token; `buy_and_tokenize` -> one of each (the first use keeps it
 * valid). It can be cancelled (DELETE), and expires 60 minutes after authorization.
 */
import { defineMachine } from '../machine.js';
import type { AuthorizationStatus } from './authorization-state.js';

export type AuthorizationEvent = 'create_order' | 'create_customer_token' | 'cancel' | 'expire';

export const authorizationMachine = defineMachine<AuthorizationStatus, AuthorizationEvent>({
  name: 'authorization',
  initial: 'valid',
  states: ['valid', 'consumed', 'cancelled', 'expired'],
  finals: ['consumed', 'cancelled', 'expired'],
  transitions: [
    { from: 'valid', event: 'create_order', to: 'consumed', guard: 'nothing else to create' },
    { from: 'valid', event: 'create_order', to: 'valid', guard: 'customer token still to create' },
    { from: 'valid', event: 'create_customer_token', to: 'consumed', guard: 'nothing else to create' },
    { from: 'valid', event: 'create_customer_token', to: 'valid', guard: 'order still to create' },
    { from: 'valid', event: 'cancel', to: 'cancelled' },
    { from: 'valid', event: 'expire', to: 'expired', guard: 'after 60 min' },
  ],
});
