/**
 * The customer token machine (Customer Token API v1, reference §3). A token is ACTIVE from its
 * creation (Payments v1 generate-customer-token) and can be charged (an order per charge) until it
 * is cancelled; CANCELLED is final ("once you cancel a token … you can't restore it").
 * SUSPENDED is part of Klarna's status enum; Kassa never suspends a token by itself. In sandbox
 * mode a merchant can suspend and resume one (POST /sandbox/v1/customer-tokens/{token}/status) to
 * test how their integration handles it: a suspended token refuses charges and can be cancelled.
 */
import { defineMachine } from '../machine.js';
import type { CustomerTokenStatus } from './customer-token-state.js';

export type CustomerTokenEvent = 'charge' | 'cancel' | 'suspend' | 'resume';

export const customerTokenMachine = defineMachine<CustomerTokenStatus, CustomerTokenEvent>({
  name: 'customer_token',
  initial: 'ACTIVE',
  states: ['ACTIVE', 'SUSPENDED', 'CANCELLED'],
  finals: ['CANCELLED'],
  transitions: [
    { from: 'ACTIVE', event: 'charge', to: 'ACTIVE' },
    { from: 'ACTIVE', event: 'cancel', to: 'CANCELLED' },
    { from: 'ACTIVE', event: 'suspend', to: 'SUSPENDED' },
    { from: 'SUSPENDED', event: 'resume', to: 'ACTIVE' },
    { from: 'SUSPENDED', event: 'cancel', to: 'CANCELLED' },
  ],
});
