/**
 * The Order Management order machine (reference §2): one table of status × event -> status, with
 * named guards where the amounts choose the target. The table validates every command
 * (decide-*.ts), renders the Mermaid diagram in docs/order-management.md, and drives one test per
 * transition (test/http/order-machine.test.ts). `fraud_status` is kept apart: it is a second field,
 * not a status; only a REJECTED review moves the status (to CANCELLED).
 *
 * What closes an order is not documented by Klarna (reference §2 "[?]"). Kassa's reading, from the
 * seeds (capture, partial refunds, cancel; "Refund: Initialized -> Completed"): an order is CLOSED
 * when nothing can happen to its money any more — no authorization remains and everything that was
 * captured has been refunded. An expiry or a release on a part-captured order ends the
 * authorization the same way a final capture does (-> CAPTURED, or CLOSED if all was refunded).
 */
import { defineMachine, transitionsFor } from '../machine.js';
import type { OrderState, OrderStatus } from './order-state.js';

export type OrderEvent =
  | 'capture'
  | 'refund'
  | 'cancel'
  | 'update_authorization'
  | 'extend_authorization'
  | 'release_remaining_authorization'
  | 'expire'
  | 'fraud_accepted'
  | 'fraud_rejected';

/** Guards: which of these holds after the event's amounts are applied picks the target status. */
export const amountGuards = {
  remains: 'amount remains',
  captured: 'fully captured',
  refunded: 'fully refunded',
} as const;
export type AmountGuard = (typeof amountGuards)[keyof typeof amountGuards];

const { remains, captured, refunded } = amountGuards;

export const orderMachine = defineMachine<OrderStatus, OrderEvent>({
  name: 'order',
  initial: 'AUTHORIZED',
  states: ['AUTHORIZED', 'PART_CAPTURED', 'CAPTURED', 'CANCELLED', 'EXPIRED', 'CLOSED'],
  finals: ['CANCELLED', 'EXPIRED', 'CLOSED'],
  transitions: [
    { from: 'AUTHORIZED', event: 'capture', guard: remains, to: 'PART_CAPTURED' },
    { from: 'AUTHORIZED', event: 'capture', guard: captured, to: 'CAPTURED' },
    { from: 'AUTHORIZED', event: 'update_authorization', to: 'AUTHORIZED' },
    { from: 'AUTHORIZED', event: 'extend_authorization', to: 'AUTHORIZED' },
    { from: 'AUTHORIZED', event: 'fraud_accepted', to: 'AUTHORIZED' },
    { from: 'AUTHORIZED', event: 'fraud_rejected', to: 'CANCELLED' },
    { from: 'AUTHORIZED', event: 'cancel', to: 'CANCELLED' },
    { from: 'AUTHORIZED', event: 'expire', to: 'EXPIRED' },

    { from: 'PART_CAPTURED', event: 'capture', guard: remains, to: 'PART_CAPTURED' },
    { from: 'PART_CAPTURED', event: 'capture', guard: captured, to: 'CAPTURED' },
    { from: 'PART_CAPTURED', event: 'refund', to: 'PART_CAPTURED' },
    { from: 'PART_CAPTURED', event: 'update_authorization', guard: remains, to: 'PART_CAPTURED' },
    { from: 'PART_CAPTURED', event: 'update_authorization', guard: captured, to: 'CAPTURED' },
    { from: 'PART_CAPTURED', event: 'update_authorization', guard: refunded, to: 'CLOSED' },
    { from: 'PART_CAPTURED', event: 'extend_authorization', to: 'PART_CAPTURED' },
    { from: 'PART_CAPTURED', event: 'release_remaining_authorization', guard: captured, to: 'CAPTURED' },
    { from: 'PART_CAPTURED', event: 'release_remaining_authorization', guard: refunded, to: 'CLOSED' },
    { from: 'PART_CAPTURED', event: 'expire', guard: captured, to: 'CAPTURED' },
    { from: 'PART_CAPTURED', event: 'expire', guard: refunded, to: 'CLOSED' },

    { from: 'CAPTURED', event: 'refund', guard: captured, to: 'CAPTURED' },
    { from: 'CAPTURED', event: 'refund', guard: refunded, to: 'CLOSED' },
    { from: 'CAPTURED', event: 'release_remaining_authorization', to: 'CAPTURED' },
  ],
});

/** Statuses in which an authorization is still open (something may be captured). */
export function isAuthorizationOpen(status: OrderStatus): boolean {
  return status === 'AUTHORIZED' || status === 'PART_CAPTURED';
}

/** The guard that holds for these amounts (after an event applied them). */
export function amountGuardOf(order: Pick<OrderState, 'remaining_authorized_amount' | 'captured_amount' | 'refunded_amount'>): AmountGuard {
  if (order.remaining_authorized_amount > 0) return remains;
  return order.refunded_amount === order.captured_amount ? refunded : captured;
}

/**
 * The status `event` leads to from `from`, given the guard that holds; undefined when the table
 * does not allow it. Unguarded transitions match whatever guard holds.
 */
export function orderTransition(from: OrderStatus, event: OrderEvent, guard?: AmountGuard): OrderStatus | undefined {
  const candidates = transitionsFor(orderMachine, from, event);
  const unguarded = candidates.find((t) => t.guard === undefined);
  if (unguarded) return unguarded.to;
  return candidates.find((t) => t.guard === guard)?.to;
}

/** True when the table has any transition for `event` from `from`. */
export function allows(from: OrderStatus, event: OrderEvent): boolean {
  return transitionsFor(orderMachine, from, event).length > 0;
}
