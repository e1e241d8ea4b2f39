/**
 * How the dashboard writes money, times and states: integer minor units with their currency's
 * decimals, ISO times shortened to the minute or second in UTC (the account's clock may be days
 * ahead of the wall clock, so a local time zone would only confuse), and a state as a badge whose
 * colour says whether it is open, done well, or ended badly.
 */
import { html, type Html } from './html.js';

const fractionDigits = new Map<string, number>();

function digitsOf(currency: string): number {
  let d = fractionDigits.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    fractionDigits.set(currency, d);
  }
  return d;
}

/** 10000, 'SEK' -> "100.00 SEK". */
export function money(minor: number | undefined, currency: string): string {
  if (minor === undefined || !Number.isFinite(minor)) return '—';
  const digits = digitsOf(currency);
  const major = (minor / 10 ** digits).toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${major} ${currency}`;
}

/**
 * A time (ms or ISO string) as "2026-01-15 10:00:00 UTC", in a <time> element; with
 * `milliseconds` (the requests log, where requests a few ms apart must stay apart) as
 * "2026-01-15 10:00:00.123 UTC".
 */
export function time(at: number | string | undefined, options: { milliseconds?: boolean } = {}): Html {
  if (at === undefined) return html`—`;
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return html`${String(at)}`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, options.milliseconds ? 23 : 19).replace('T', ' ')} UTC</time>`;
}

/** "in 3 d 4 h", "2 min ago": a deadline relative to the account's now. */
export function relative(at: number, now: number): string {
  const delta = at - now;
  const abs = Math.abs(delta);
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  const parts: string[] = [];
  let rest = abs;
  for (const [size, name] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${name}`);
      rest %= size;
    }
  }
  const text = parts.join(' ') || '0 s';
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

const good = new Set(['ENABLED', 'complete', 'COMPLETED', 'CAPTURED', 'ACTIVE', 'SETTLED', 'DELIVERED', 'ACCEPTED', 'captured', 'settled', 'completed', 'funds_booked', 'refunded', 'REFUNDED', 'consumed']);
const bad = new Set(['DISABLED', 'expired', 'EXPIRED', 'CANCELLED', 'CANCELED', 'cancelled', 'DECLINED', 'declined', 'FAILED', 'REJECTED', 'CHARGEBACK', 'chargeback', 'SUSPENDED', 'DISPUTED', 'abandoned', 'ABANDONED', 'AUTH_REVERSED', 'denied']);

export function stateTone(state: string): 'good' | 'bad' | 'open' {
  return good.has(state) ? 'good' : bad.has(state) ? 'bad' : 'open';
}

export function badge(state: string): Html {
  return html`<span class="state state-${stateTone(state)}">${state}</span>`;
}
