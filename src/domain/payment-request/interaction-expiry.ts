/**
 * How long a payment request stays open. The seed says 48 hours (seeds win over newer pages that
 * say 3 h); `interaction_expiry` may ask for anything between 15 minutes and 48 hours, either as an
 * ISO-8601 duration (`PT1H`, `P1DT2H`, `PT900S`) or as a timestamp (reference §4). Anything outside
 * that window, both forms at once, or an unreadable value is refused naming the field.
 */
import { reject, type Rejection } from '../errors.js';
import { durations } from '../limits.js';

export interface InteractionExpiry {
  duration?: string;
  timestamp?: string;
}

const durationPattern = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO-8601 duration made of weeks, days, hours, minutes and seconds; undefined if unreadable. */
export function parseDuration(text: string): number | undefined {
  const m = durationPattern.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, w, d, h, min, s] = m;
  if ([w, d, h, min, s].every((x) => x === undefined)) return undefined;
  const ms = (Number(w ?? 0) * 7 * 24 + Number(d ?? 0) * 24 + Number(h ?? 0)) * 3600_000 + Number(min ?? 0) * 60_000 + Math.round(Number(s ?? 0) * 1000);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * The account-clock time at which a request created (or updated) at `now` expires.
 * `field` is the path of the interaction_expiry object, for the error message.
 */
export function expiryFor(now: number, expiry: InteractionExpiry | undefined, field: string): number | Rejection {
  if (!expiry || (expiry.duration === undefined && expiry.timestamp === undefined)) return now + durations.paymentRequestTtlMs;
  if (expiry.duration !== undefined && expiry.timestamp !== undefined) {
    return reject('BAD_VALUE', `Bad value: ${field} (give either duration or timestamp, not both)`);
  }
  let ms: number;
  let where: string;
  if (expiry.duration !== undefined) {
    where = `${field}.duration`;
    const parsed = parseDuration(expiry.duration);
    if (parsed === undefined) return reject('BAD_VALUE', `Bad value: ${where} (an ISO-8601 duration such as PT1H)`);
    ms = parsed;
  } else {
    where = `${field}.timestamp`;
    const at = Date.parse(expiry.timestamp!);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(expiry.timestamp!) || Number.isNaN(at)) return reject('BAD_VALUE', `Bad value: ${where} (an ISO-8601 date-time)`);
    ms = at - now;
  }
  if (ms < durations.paymentRequestTtlMinMs || ms > durations.paymentRequestTtlMs) {
    return reject('BAD_VALUE', `Bad value: ${where} (must be between 15 minutes and 48 hours from now)`);
  }
  return now + ms;
}
