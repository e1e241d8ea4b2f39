/**
 * The payment session machine. A session is `incomplete` while the customer shops and pays; it
 * becomes `complete` once an order (or, for intent `tokenize`, a customer token) was created from
 * its authorization, and `expired` 48 hours after creation if still incomplete. Reads of an
 * expired session answer 404 NOT_FOUND; writes to a complete one answer 404 SESSION_COMPLETED.
 */
import { defineMachine } from '../machine.js';
import type { SessionStatus } from './session-state.js';

export type SessionEvent = 'update' | 'authorize' | 'complete' | 'expire';

export const sessionMachine = defineMachine<SessionStatus, SessionEvent>({
  name: 'session',
  initial: 'incomplete',
  states: ['incomplete', 'complete', 'expired'],
  finals: ['complete', 'expired'],
  transitions: [
    { from: 'incomplete', event: 'update', to: 'incomplete' },
    { from: 'incomplete', event: 'authorize', to: 'incomplete' },
    { from: 'incomplete', event: 'complete', to: 'complete' },
    { from: 'incomplete', event: 'expire', to: 'expired', guard: 'after 48 h' },
  ],
});
