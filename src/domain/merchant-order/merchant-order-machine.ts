/**
 * The merchant order workflow as one declarative table: the steps of the seeds
 * (../shared/seeds/000_*: Spryker's pre-check -> check order status -> capture -> update ->
 * refund -> cancel; 001_*: MultiSafepay's ship within 28 days, settlement, funds booked; 003_*:
 * Cybersource's per-request statuses). The table validates merchant commands and step outcomes
 * (decide-command.ts, decide-outcome.ts), renders the Mermaid diagram in docs/merchant-role.md,
 * and drives one generated test per transition.
 *
 * States ending in -ing (pre_check, checking, capturing, updating, cancelling, releasing) wait on
 * an outbound call to the provider; the transitions out of them are that call's outcomes.
 * Facts that do not move the workflow (a capture settled while more is to be captured, a refund,
 * a chargeback) are recorded on the order's captures/refunds; the self-transitions below say in
 * which states the merchant may ask for them.
 */
import { defineMachine, transitionsFor, type Machine } from '../machine.js';

export const merchantOrderStates = [
  'checkout',
  'checkout_failed',
  'pre_check',
  'checking',
  'ready_to_ship',
  'shipped',
  'capturing',
  'updating',
  'capture_failed',
  'part_captured',
  'releasing',
  'captured',
  'settled',
  'completed',
  'cancelling',
  'cancelled',
  'expired',
  'refunded',
] as const;

export type MerchantOrderStatus = (typeof merchantOrderStates)[number];

export const merchantOrderEvents = [
  // merchant commands
  'retry_checkout',
  'authorize',
  'cancel',
  'ship',
  'capture',
  'update_cart',
  'extend',
  'refund',
  'close',
  // outcomes of outbound steps and of read-backs
  'session_created',
  'session_failed',
  'abandon',
  'placed',
  'authorization_failed',
  'authorization_rejected',
  'status_pending',
  'status_accepted',
  'status_denied',
  'captured',
  'capture_refused',
  'reservation_updated',
  'update_refused',
  'released',
  'release_failed',
  'reversed',
  'reversal_failed',
  'order_cancelled',
  'order_expired',
  'capture_settled',
  'funds_booked',
  'refunded_in_full',
] as const;

export type MerchantOrderEvent = (typeof merchantOrderEvents)[number];

/** Named guards (the decide functions compute which one holds). */
export type MerchantOrderGuard =
  | 'session_open'
  | 'capture_on_shipment'
  | 'without_capture'
  | 'amount_remaining'
  | 'fully_captured'
  | 'reservation_too_small'
  | 'nothing_captured'
  | 'some_captured'
  | 'all_settled'
  | 'resume_checking'
  | 'resume_ready_to_ship'
  | 'resume_shipped'
  | 'resume_capture_failed';

type S = MerchantOrderStatus;
type E = MerchantOrderEvent;
const t = (from: S, event: E, to: S, guard?: MerchantOrderGuard) => (guard ? { from, event, to, guard } : { from, event, to });

export const merchantOrderMachine: Machine<S, E> = defineMachine<S, E>({
  name: 'merchant_order',
  initial: 'checkout',
  states: merchantOrderStates,
  finals: ['cancelled', 'expired', 'refunded'],
  transitions: [
    // Checkout: the Klarna session (Cybersource "session": INITIATED -> COMPLETED, or FAILED).
    t('checkout', 'session_created', 'checkout'),
    t('checkout', 'session_failed', 'checkout_failed'),
    t('checkout_failed', 'retry_checkout', 'checkout'),
    t('checkout', 'authorize', 'pre_check', 'session_open'),
    t('checkout', 'abandon', 'expired'),
    t('checkout', 'cancel', 'cancelled'),
    t('checkout_failed', 'cancel', 'cancelled'),
    // Pre-check: the order is placed from the authorization token; this reserves the amount.
    t('pre_check', 'placed', 'checking'),
    t('pre_check', 'authorization_failed', 'checkout'),
    t('pre_check', 'authorization_rejected', 'cancelled'),
    // Check order status: while not accepted, ask again every 2 h (configurable); denied -> cancel.
    t('checking', 'status_pending', 'checking'),
    t('checking', 'status_accepted', 'ready_to_ship'),
    t('checking', 'status_denied', 'cancelling'),
    t('checking', 'cancel', 'cancelling'),
    t('checking', 'order_cancelled', 'cancelled'),
    t('checking', 'order_expired', 'expired'),
    // Ready to ship: ship within the authorization period (28 days) or extend it.
    t('ready_to_ship', 'ship', 'capturing', 'capture_on_shipment'),
    t('ready_to_ship', 'ship', 'shipped', 'without_capture'),
    t('ready_to_ship', 'capture', 'capturing'),
    t('ready_to_ship', 'update_cart', 'ready_to_ship'),
    t('ready_to_ship', 'extend', 'ready_to_ship'),
    t('ready_to_ship', 'cancel', 'cancelling'),
    t('ready_to_ship', 'order_cancelled', 'cancelled'),
    t('ready_to_ship', 'order_expired', 'expired'),
    t('shipped', 'capture', 'capturing'),
    t('shipped', 'update_cart', 'shipped'),
    t('shipped', 'extend', 'shipped'),
    t('shipped', 'cancel', 'cancelling'),
    t('shipped', 'order_cancelled', 'cancelled'),
    t('shipped', 'order_expired', 'expired'),
    // Capture activates the reservation; when it is refused because the order grew, update the
    // reservation and capture again (Spryker "Update payment").
    t('capturing', 'captured', 'part_captured', 'amount_remaining'),
    t('capturing', 'captured', 'captured', 'fully_captured'),
    t('capturing', 'capture_refused', 'updating', 'reservation_too_small'),
    t('capturing', 'capture_refused', 'capture_failed', 'nothing_captured'),
    t('capturing', 'capture_refused', 'part_captured', 'some_captured'),
    t('capturing', 'order_cancelled', 'cancelled'),
    t('capturing', 'order_expired', 'expired', 'nothing_captured'),
    t('capturing', 'order_expired', 'captured', 'some_captured'),
    t('updating', 'reservation_updated', 'capturing'),
    t('updating', 'update_refused', 'capture_failed', 'nothing_captured'),
    t('updating', 'update_refused', 'part_captured', 'some_captured'),
    t('updating', 'order_cancelled', 'cancelled'),
    t('updating', 'order_expired', 'expired', 'nothing_captured'),
    t('updating', 'order_expired', 'captured', 'some_captured'),
    t('capture_failed', 'capture', 'capturing'),
    t('capture_failed', 'ship', 'capturing'),
    t('capture_failed', 'update_cart', 'capture_failed'),
    t('capture_failed', 'extend', 'capture_failed'),
    t('capture_failed', 'cancel', 'cancelling'),
    t('capture_failed', 'order_cancelled', 'cancelled'),
    t('capture_failed', 'order_expired', 'expired'),
    t('part_captured', 'ship', 'capturing'),
    t('part_captured', 'capture', 'capturing'),
    t('part_captured', 'update_cart', 'part_captured'),
    t('part_captured', 'extend', 'part_captured'),
    t('part_captured', 'refund', 'part_captured'),
    t('part_captured', 'close', 'releasing'),
    t('part_captured', 'order_expired', 'captured'),
    t('releasing', 'released', 'captured'),
    t('releasing', 'release_failed', 'part_captured'),
    // Settlement (MultiSafepay rows 8-9), refunds (partial, several) and close.
    t('captured', 'refund', 'captured'),
    t('captured', 'capture_settled', 'settled', 'all_settled'),
    t('captured', 'refunded_in_full', 'refunded'),
    t('settled', 'refund', 'settled'),
    t('settled', 'funds_booked', 'completed'),
    t('settled', 'refunded_in_full', 'refunded'),
    t('completed', 'refund', 'completed'),
    t('completed', 'refunded_in_full', 'refunded'),
    // Cancel (Cybersource "authorization reversal"): back where it was when the provider refuses.
    t('cancelling', 'reversed', 'cancelled'),
    t('cancelling', 'order_cancelled', 'cancelled'),
    t('cancelling', 'reversal_failed', 'checking', 'resume_checking'),
    t('cancelling', 'reversal_failed', 'ready_to_ship', 'resume_ready_to_ship'),
    t('cancelling', 'reversal_failed', 'shipped', 'resume_shipped'),
    t('cancelling', 'reversal_failed', 'capture_failed', 'resume_capture_failed'),
  ],
});

/** States that wait on an outbound call: a new merchant command meanwhile is answered "busy". */
export const inFlightStates: readonly S[] = ['pre_check', 'capturing', 'updating', 'cancelling', 'releasing'];

/** The target of `event` from `from` under exactly `guard` (undefined: the unguarded one). */
export function target(from: S, event: E, guard?: MerchantOrderGuard): S | undefined {
  return transitionsFor(merchantOrderMachine, from, event).find((tr) => tr.guard === guard)?.to;
}

/** Whether the table has any transition for `event` from `from` (whatever the guard). */
export function allows(from: S, event: E): boolean {
  return transitionsFor(merchantOrderMachine, from, event).length > 0;
}
