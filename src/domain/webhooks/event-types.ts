/**
 * The webhook event types Kassa knows (reference §4, Klarna Notifications API) and the wildcard
 * matching subscriptions use: an exact type, a prefix ending in `.*` (`payment.request.*`,
 * `payment.*`), or `*` for everything. A subscription pattern must name a known type or match at
 * least one, so a typo is refused instead of silently never firing.
 * docs/webhooks.md lists these types (generated; a test fails when the list there is stale).
 */

export const webhookEventTypes = [
  'payment.request.state-change.submitted',
  'payment.request.state-change.in-progress',
  'payment.request.state-change.completed',
  'payment.request.state-change.canceled',
  'payment.request.state-change.expired',
  'payment.request.state-change.declined',
  'payment.request.updated',
  'payment.request.state-change.prepared',
  'payment.request.state-change.pending-confirmation',
  'payment.request.state-change.authorized',
  'payment.transaction.state-change.authorized',
  'payment.transaction.state-change.expired',
  'payment.transaction.state-change.completed',
  'payment.transaction.state-change.closed',
  'payment.dispute.state-change.initiated',
  'payment.dispute.state-change.pre-arbitration',
  'payment.dispute.state-change.representment',
  'payment.dispute.state-change.closed',
  'partner.account.state-change.operational',
  'partner.account.product.payment.state-change.enabled',
  'partner.account.product.payment.state-change.disabled',
] as const;

export type WebhookEventType = (typeof webhookEventTypes)[number];

/** What emits each type (for the docs table). */
export const eventTypeSources: Record<WebhookEventType, string> = {
  'payment.request.state-change.submitted': 'a payment request is created, or the customer backs out of the journey',
  'payment.request.state-change.in-progress': 'the customer opens the purchase journey',
  'payment.request.state-change.completed': 'the customer approves; the payload carries the payment token',
  'payment.request.state-change.canceled': 'the partner cancels (DELETE)',
  'payment.request.state-change.expired': 'the request deadline passes on the account clock',
  'payment.request.state-change.declined': 'the purchase is declined in the journey',
  'payment.request.updated': 'the partner updates a SUBMITTED request (PATCH)',
  'payment.request.state-change.prepared': 'never by the v2 flow (a v1 event type, accepted in subscriptions; simulate works)',
  'payment.request.state-change.pending-confirmation': 'never by the v2 flow (a v1 event type, accepted in subscriptions; simulate works)',
  'payment.request.state-change.authorized': 'never by the v2 flow (a v1 event type, accepted in subscriptions; simulate works)',
  'payment.transaction.state-change.authorized': 'authorize answers APPROVED and creates the transaction',
  'payment.transaction.state-change.expired': 'the transaction\'s authorization expires with nothing captured (Order Management order EXPIRED)',
  'payment.transaction.state-change.completed': 'the transaction is fully captured, or its remainder is released or lapses after a part capture (order CAPTURED)',
  'payment.transaction.state-change.closed': 'everything captured is refunded, or the authorization is cancelled (order CLOSED or CANCELLED)',
  'payment.dispute.state-change.initiated': 'disputes (simulate only for now)',
  'payment.dispute.state-change.pre-arbitration': 'disputes (simulate only for now)',
  'payment.dispute.state-change.representment': 'disputes (simulate only for now)',
  'payment.dispute.state-change.closed': 'disputes (simulate only for now)',
  'partner.account.state-change.operational': 'account lifecycle (simulate only)',
  'partner.account.product.payment.state-change.enabled': 'account lifecycle (simulate only)',
  'partner.account.product.payment.state-change.disabled': 'account lifecycle (simulate only)',
};

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (webhookEventTypes as readonly string[]).includes(value);
}

/** Does a subscription pattern (`payment.request.*`, `*`, or an exact type) cover `eventType`? */
export function matchesEventType(pattern: string, eventType: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return eventType.startsWith(pattern.slice(0, -1));
  return pattern === eventType;
}

/** A pattern is valid when it is a known type or a wildcard covering at least one known type. */
export function isValidPattern(pattern: string): boolean {
  if (pattern !== '*' && !/^[a-z]+(?:[.-][a-z]+)*(?:\.\*)?$/.test(pattern)) return false;
  return webhookEventTypes.some((t) => matchesEventType(pattern, t));
}
