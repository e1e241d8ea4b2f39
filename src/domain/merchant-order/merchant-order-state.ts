/**
 * The merchant order aggregate, as stored: the merchant's cart, what the provider holds for it
 * (session, order, captures, refunds), the durable steps still to run (each with its own timer on
 * the account clock), and the request log (one entry per outbound operation, with Cybersource's
 * statuses, ../shared/seeds/003_*). Pure data: JSON-serialisable, times as ms or ISO strings.
 */
import type { Json, OrderLine, Purchase, ShippingInfo } from '../order/order-state.js';
import type { MerchantOrderStatus } from './merchant-order-machine.js';

export const merchantOrderType = 'merchant_order';

export interface Cart extends Purchase {
  /** Where the customer goes after the purchase (passed to Klarna as merchant_urls.confirmation). */
  confirmation_url?: string;
}

/** Kinds of outbound operation (and the one local step, booking settled funds). */
export type StepKind =
  | 'create_session'
  | 'place_order'
  | 'check_status'
  | 'cancel'
  | 'capture'
  | 'update_authorization'
  | 'refund'
  | 'extend'
  | 'shipping_info'
  | 'release'
  | 'capture_status'
  | 'refund_status'
  | 'book_funds';

/** Steps that change something at the provider: one at a time per order. */
export const mutatingStepKinds: readonly StepKind[] = ['create_session', 'place_order', 'cancel', 'capture', 'update_authorization', 'refund', 'extend', 'shipping_info', 'release'];

export type CheckReason = 'pre_check' | 'recheck' | 'expiry' | 'session' | 'notification' | 'manual';

export interface CaptureIntent {
  /** The merchant's capture id (stable across the capture -> update -> capture retry). */
  capture_id: string;
  amount: number;
  order_lines?: OrderLine[];
  shipping_info?: ShippingInfo[];
  description?: string;
}

export type StepInput =
  | { kind: 'create_session' }
  | { kind: 'place_order' }
  | { kind: 'check_status'; reason: CheckReason }
  | { kind: 'cancel' }
  | { kind: 'capture'; capture: CaptureIntent; after_update: boolean }
  | { kind: 'update_authorization'; capture: CaptureIntent; order_amount: number }
  | { kind: 'refund'; refund_id: string; amount: number; description?: string; order_lines?: OrderLine[] }
  | { kind: 'extend'; previous_expires_at?: string }
  | { kind: 'shipping_info'; shipping_info: ShippingInfo[] }
  | { kind: 'release' }
  | { kind: 'capture_status'; capture_id: string; reason: 'poll' | 'notification' | 'manual'; hint?: 'SETTLED' | 'CHARGEBACK' | 'DISPUTED' }
  | { kind: 'refund_status'; refund_id: string }
  | { kind: 'book_funds' };

export interface Step {
  /** Also the Klarna-Idempotency-Key of its outbound call: every retry of the step reuses it. */
  id: string;
  input: StepInput;
  due_at: number;
  /** Bumped whenever the step is (re)scheduled; names its timer. */
  rev: number;
  /** Outbound attempts made so far. */
  attempts: number;
  /** The last attempt's outcome was unknown (timeout, 5xx): read back before calling again. */
  unknown: boolean;
  request_id: string;
  /** The request this step checks (status checks started for a request id). */
  checks_request_id?: string;
}

export type RequestKind =
  | 'session'
  | 'authorization'
  | 'check_status'
  | 'reversal'
  | 'capture'
  | 'capture_status'
  | 'refund'
  | 'refund_status'
  | 'update_authorization'
  | 'extend_authorization'
  | 'shipping_info';

/**
 * Cybersource's statuses (seed 003) plus PENDING, which Kassa adds for a request whose outcome is
 * not known yet and for a check that finds Klarna's fraud review still pending.
 */
export type RequestStatus = 'PENDING' | 'INITIATED' | 'COMPLETED' | 'FAILED' | 'AUTHORIZED' | 'ABANDONED' | 'AUTH_REVERSED' | 'SETTLED' | 'CHARGEBACK' | 'REFUNDED';

export interface RequestEntry {
  request_id: string;
  kind: RequestKind;
  status: RequestStatus;
  status_history: { status: RequestStatus; at: string }[];
  created_at: string;
  updated_at: string;
  /** The Klarna-Idempotency-Key sent (mutating requests). */
  idempotency_key?: string;
  attempts: number;
  amount?: number;
  capture_id?: string;
  refund_id?: string;
  /** For status checks: the request checked. */
  checks_request_id?: string;
  /** On a checked request: the latest check's id and status. */
  latest_check?: { request_id: string; status: RequestStatus };
  http_status?: number;
  error_code?: string;
  error_messages?: string[];
  klarna_correlation_id?: string;
  /** The merchant's own Klarna-Idempotency-Key that created it (makes the command idempotent). */
  client_key?: string;
}

export type CaptureStatus = 'PENDING' | 'SETTLED' | 'FAILED' | 'CHARGEBACK';

export interface MerchantCapture {
  capture_id: string;
  request_id: string;
  amount: number;
  status: CaptureStatus;
  klarna_capture_id?: string;
  /** Funds settled by the provider (MultiSafepay "transaction Completed"). */
  settled: boolean;
  settled_at?: string;
  disputed: boolean;
  /** Settlement polls made so far (bounded by limits). */
  polls: number;
  shipping_info?: ShippingInfo[];
  order_lines?: OrderLine[];
  description?: string;
}

export type RefundStatus = 'PENDING' | 'REFUNDED' | 'FAILED';

export interface MerchantRefund {
  refund_id: string;
  request_id: string;
  amount: number;
  status: RefundStatus;
  klarna_refund_id?: string;
  description?: string;
  created_at: string;
}

/** What the provider said about the order the last time it was read. */
export interface ProviderOrderMirror {
  order_id?: string;
  status?: string;
  fraud_status?: string;
  order_amount?: number;
  captured_amount?: number;
  refunded_amount?: number;
  remaining_authorized_amount?: number;
  expires_at?: string;
}

export interface MerchantOrder {
  order_id: string;
  status: MerchantOrderStatus;
  created_at: string;
  updated_at: string;
  cart: Cart;
  connection_id: string;
  /** Secret part of merchant_urls.notification; never shown. */
  notification_token: string;
  session?: {
    session_id: string;
    client_token: string;
    payment_method_categories: Json[];
    expires_at_ms: number;
  };
  /** Held between the authorize command and the placed order only; never shown or logged. */
  authorization_token?: string;
  klarna: ProviderOrderMirror;
  shipped: boolean;
  shipping_info: ShippingInfo[];
  accepted_at?: string;
  captures: MerchantCapture[];
  refunds: MerchantRefund[];
  captured_amount: number;
  refunded_amount: number;
  settled_at?: string;
  funds_booked_at?: string;
  /** While cancelling: where a refused cancel returns to. */
  resume_status?: MerchantOrderStatus;
  steps: Step[];
  requests: RequestEntry[];
  /** The merchant's Klarna-Idempotency-Keys already applied (the last few): a repeat is a no-op. */
  client_keys: string[];
  /**
   * The provider `expires_at` whose passing has been checked: a check read the order back after
   * it. A provider that still shows the order live is believed, and not asked again about the
   * same expiry (until the expiry moves, e.g. after an extension).
   */
  expiry_checked?: string;
}

/** Merchant-role settings of an account (GET/PUT /merchant/v1/settings). */
export interface MerchantSettings {
  /** Spryker: while the order is not accepted, wait this long and ask again (default 2 h). */
  recheck_interval_ms: number;
  /** Ship captures the remaining amount unless told otherwise. */
  capture_on_shipment: boolean;
  /** Fallback poll of each capture's settlement when no notification arrives. */
  settlement_poll_interval_ms: number;
  /** Delay between settlement and the funds being booked to the balance (MultiSafepay row 9). */
  payout_delay_ms: number;
}
