/**
 * The payment request's transition table (v2 acquiring-partner API). Exactly the seed's diagram
 * (../shared/seeds/004_9fd42397c6743097.txt, "Monitor the payment request state") plus DECLINED,
 * which newer Klarna docs add (reference §4):
 *
 * - SUBMITTED   -> IN_PROGRESS (customer enters the purchase journey) | CANCELED (partner cancels)
 *                | EXPIRED (deadline) | SUBMITTED (partner updates the request)
 * - IN_PROGRESS -> COMPLETED (Klarna accepts the purchase) | SUBMITTED (customer aborts)
 *                | CANCELED | EXPIRED | DECLINED (Klarna declines, or the customer is refused)
 * - COMPLETED, CANCELED, EXPIRED and DECLINED are final: a late signal is answered, recorded in
 *   the event log, and ignored.
 *
 * The same table validates every command, renders the diagram in docs/payment-requests.md and
 * generates one test per transition.
 */
import { defineMachine } from '../machine.js';

export type PaymentRequestStatus = 'SUBMITTED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELED' | 'EXPIRED' | 'DECLINED';

export type PaymentRequestEvent = 'update' | 'enter' | 'approve' | 'abort' | 'decline' | 'cancel' | 'expire';

/** Guard names: which way the risk decision went when the customer approves. */
export const guards = { approved: 'decision approved', declined: 'decision declined' } as const;

export const paymentRequestMachine = defineMachine<PaymentRequestStatus, PaymentRequestEvent>({
  name: 'payment request',
  initial: 'SUBMITTED',
  states: ['SUBMITTED', 'IN_PROGRESS', 'COMPLETED', 'CANCELED', 'EXPIRED', 'DECLINED'],
  finals: ['COMPLETED', 'CANCELED', 'EXPIRED', 'DECLINED'],
  transitions: [
    { from: 'SUBMITTED', event: 'update', to: 'SUBMITTED' },
    { from: 'SUBMITTED', event: 'enter', to: 'IN_PROGRESS' },
    { from: 'SUBMITTED', event: 'cancel', to: 'CANCELED' },
    { from: 'SUBMITTED', event: 'expire', to: 'EXPIRED' },
    { from: 'IN_PROGRESS', event: 'approve', to: 'COMPLETED', guard: guards.approved },
    { from: 'IN_PROGRESS', event: 'approve', to: 'DECLINED', guard: guards.declined },
    { from: 'IN_PROGRESS', event: 'abort', to: 'SUBMITTED' },
    { from: 'IN_PROGRESS', event: 'decline', to: 'DECLINED' },
    { from: 'IN_PROGRESS', event: 'cancel', to: 'CANCELED' },
    { from: 'IN_PROGRESS', event: 'expire', to: 'EXPIRED' },
  ],
});

/**
 * `state_reason` after each transition. Klarna documents PAYMENT_REQUEST_SUBMITTED,
 * PARTNER_CANCELED and PURCHASE_FLOW_ABORTED; the others are Kassa's names for the remaining
 * transitions (docs/payment-requests.md).
 */
export const stateReasons: Record<PaymentRequestEvent | 'create', string> = {
  create: 'PAYMENT_REQUEST_SUBMITTED',
  update: 'PAYMENT_REQUEST_UPDATED',
  enter: 'PURCHASE_FLOW_STARTED',
  approve: 'PURCHASE_FLOW_COMPLETED',
  abort: 'PURCHASE_FLOW_ABORTED',
  decline: 'PURCHASE_DECLINED',
  cancel: 'PARTNER_CANCELED',
  expire: 'PAYMENT_REQUEST_EXPIRED',
};

/** The state_reason a transition leaves: a declined approval reads PURCHASE_DECLINED like a forced decline. */
export function stateReasonFor(event: PaymentRequestEvent, to: PaymentRequestStatus): string {
  return to === 'DECLINED' ? stateReasons.decline : stateReasons[event];
}

/** The webhook event type a transition into `to` emits (an update emits `payment.request.updated`). */
export function eventTypeFor(event: PaymentRequestEvent | 'create', to: PaymentRequestStatus): string {
  if (event === 'update') return 'payment.request.updated';
  return `payment.request.state-change.${to.toLowerCase().replace('_', '-')}`;
}
