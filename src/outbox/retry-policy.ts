/**
 * When to try a failed delivery again: exponential back-off with jitter on the account's clock,
 * for up to `limits.webhookRetryWindowMs` (12 h) after the event was created; then it is failed.
 * Attempt n waits base·2^(n-1), capped, times a jitter factor in [0.5, 1).
 * Schedule (before jitter): 30 s, 1 min, 2 min, 4 min, 8 min, 16 min, 32 min, 1 h, 1 h, … until 12 h.
 */
import { limits } from '../domain/limits.js';

export const retryBaseMs = 30_000;
export const retryCapMs = 3600_000;

export function nextAttemptAt(createdAt: number, attemptsMade: number, now: number, jitter: number): number | undefined {
  const delay = Math.min(retryBaseMs * 2 ** Math.max(0, attemptsMade - 1), retryCapMs) * (0.5 + jitter / 2);
  const at = now + Math.round(delay);
  return at <= createdAt + limits.webhookRetryWindowMs ? at : undefined;
}

export function isDeliverySuccess(status: number): boolean {
  return status === 200 || status === 201 || status === 202 || status === 204;
}
