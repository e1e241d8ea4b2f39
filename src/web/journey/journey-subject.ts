/**
 * The purchase journey is one set of pages (src/web/static/journey.*) that a customer walks through
 * to approve a purchase: identify with email or phone, enter a one-time code, pick a plan, approve
 * or close. What is being approved is the journey's *subject*: a Payments v1 session (opened by the
 * JS SDK's authorize() in a modal iframe, answering the SDK callback) or a v2 payment request
 * (opened by redirect from payment_request_url, returning to the partner's return_url). Each subject
 * kind plugs in here with one object; the pages, the JSON endpoints (journey-routes.ts), the
 * one-time-code rule and the plan matrix are shared. docs/journey.md describes the contract.
 */
import type { UnitOfWork } from '../../app/unit-of-work.js';
import type { PaymentMethodCategory } from '../../domain/decision/payment-methods.js';
import type { JourneyIdentity } from '../../domain/journey/identity.js';
import type { JsonObject } from '../../domain/order/order-state.js';
import type { AppDeps } from '../../http/deps.js';
import type { AccountRecord } from '../../store/port.js';

/** What the journey pages show about the subject. */
export interface JourneyView {
  /** Shown as "Pay <merchant_name>"; the account's username unless the subject knows better. */
  merchant_name: string;
  purchase_country: string;
  purchase_currency: string;
  locale: string;
  order_amount: number;
  order_lines: { name: string; quantity: number; total_amount: number; type?: string }[];
  /** Categories the customer may choose from; the routes add each category's plans. */
  payment_method_categories: PaymentMethodCategory[];
  /** Email/phone the merchant already sent; prefills the identify step. */
  prefill: JourneyIdentity;
}

/** What the customer approved, as checked by the shared routes (code verified, plan resolved). */
export interface JourneyApproval {
  identity: JourneyIdentity;
  /** A category from the view (defaults to the first offered one). */
  payment_method_category: string;
  /** Instalments the customer picked (pay_over_time only). */
  installments?: number;
  /** Data the merchant page passed to authorize() (embedded journeys); empty for redirects. */
  data: { billing_address?: JsonObject; shipping_address?: JsonObject; customer?: JsonObject };
}

/** How a journey ends, for the page to hand back. */
export interface JourneyOutcome {
  result: 'approved' | 'declined' | 'aborted';
  /** The JS SDK callback (embedded journeys): Klarna's documented authorize~callback fields. */
  callback?: { approved: boolean; show_form: boolean; authorization_token?: string; finalize_required?: boolean };
  /** Where the browser goes next (redirect journeys), placeholders already filled in. */
  redirect_url?: string;
}

export interface JourneySubject<Ref = string> {
  /** The path segment naming this kind: /kp/v1/journey/{kind}. */
  readonly kind: string;
  /** What the bearer credential is called in error messages ("client token", "journey token"). */
  readonly credentialName: string;
  /**
   * The bearer credential the page holds (v1: the session's client_token; v2: the payment request's
   * journey token) -> the account and the subject it names; undefined answers 401. No state is read
   * beyond what identifies the subject.
   */
  resolve(deps: AppDeps, credential: string): Promise<{ account: AccountRecord; ref: Ref } | undefined>;
  /** What the pages show. Throws KassaError when the subject cannot be approved now (expired, completed, …). */
  view(deps: AppDeps, account: AccountRecord, ref: Ref): Promise<JourneyView>;
  /** The customer opened the journey (v2: SUBMITTED -> IN_PROGRESS). Runs in one engine command. */
  enter(uow: UnitOfWork, deps: AppDeps, ref: Ref): Promise<void>;
  /** The customer approved: the subject runs Klarna's decision and answers approved or declined. */
  approve(uow: UnitOfWork, deps: AppDeps, ref: Ref, approval: JourneyApproval): Promise<JourneyOutcome>;
  /** The customer closed the journey (v2: back to SUBMITTED). */
  abort(uow: UnitOfWork, deps: AppDeps, ref: Ref): Promise<JourneyOutcome>;
}
