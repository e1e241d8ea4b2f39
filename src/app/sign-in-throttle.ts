/**
 * Throttles failed sign-ins, per username and per client address, in memory: each failed
 * verification costs ~80 ms of scrypt CPU and is one password guess, so after
 * `signInFailuresPerUsernameMax` failures for one name, or `signInFailuresPerAddressMax` from one
 * address, within `signInThrottleWindowMs`, further attempts are refused (429 with Retry-After)
 * before any hashing, until that window ends. Then the right password works again.
 *
 * Use: `begin(username, address, attemptKey)` before verifying; if allowed, call `done(ok)` exactly
 * once with the outcome. Attempts still being verified count against the limit, so a burst of
 * parallel guesses cannot all slip in before the first failure is recorded. Attempts with the same
 * `attemptKey` (a digest of the credential pair) count once: a client opening many connections at
 * once with its right password shares one verification (Accounts does) and must not lock itself
 * out. A success clears the username's failures (not the address's: one valid account must not
 * launder guesses at others).
 *
 * Memory is bounded: at most `signInThrottleEntriesMax` counters; when full, the oldest counter
 * with nothing in flight is dropped. Counters live in one process: with several workers or nodes
 * each keeps its own, so the effective limit is multiplied by their number. Time is the injected
 * clock, so tests move it instead of sleeping.
 */
import { limits } from '../domain/limits.js';
import type { Clock } from './ports.js';

export type SignInVerdict = { allowed: true; done(ok: boolean): void } | { allowed: false; retryAfterSeconds: number };

interface Counter {
  windowStartMs: number;
  failures: number;
  /** Distinct attempts being verified: attempt key -> how many requests share it. */
  inFlight: Map<string, number>;
}

export interface SignInThrottleLimits {
  failuresPerUsernameMax: number;
  failuresPerAddressMax: number;
  windowMs: number;
  entriesMax: number;
}

export const defaultSignInThrottleLimits: SignInThrottleLimits = {
  failuresPerUsernameMax: limits.signInFailuresPerUsernameMax,
  failuresPerAddressMax: limits.signInFailuresPerAddressMax,
  windowMs: limits.signInThrottleWindowMs,
  entriesMax: limits.signInThrottleEntriesMax,
};

export class SignInThrottle {
  private readonly counters = new Map<string, Counter>();
  private attemptSeq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limits: SignInThrottleLimits = defaultSignInThrottleLimits,
  ) {}

  begin(username: string, address: string, attemptKey = `\u0000${++this.attemptSeq}`): SignInVerdict {
    const now = this.clock.now();
    // Names longer than any account's share one counter: a megabyte-long name costs no memory.
    const keys: [string, number][] = [
      [`u\u0000${username.slice(0, limits.usernameCharsMax + 1)}`, this.limits.failuresPerUsernameMax],
      [`a\u0000${address}`, this.limits.failuresPerAddressMax],
    ];
    let retryAfterMs = 0;
    for (const [key, max] of keys) {
      const c = this.current(key, now);
      const over = c && (c.failures >= max || (c.failures + c.inFlight.size >= max && !c.inFlight.has(attemptKey)));
      if (c && over) retryAfterMs = Math.max(retryAfterMs, c.windowStartMs + this.limits.windowMs - now);
    }
    if (retryAfterMs > 0) return { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };

    const counters = keys.map(([key]) => this.current(key, now) ?? this.add(key, now));
    for (const c of counters) c.inFlight.set(attemptKey, (c.inFlight.get(attemptKey) ?? 0) + 1);
    let finished = false;
    return {
      allowed: true,
      done: (ok: boolean) => {
        if (finished) return;
        finished = true;
        if (ok) counters[0]!.failures = 0; // the username's
        for (const c of counters) {
          const left = (c.inFlight.get(attemptKey) ?? 1) - 1;
          if (left > 0) {
            c.inFlight.set(attemptKey, left);
            continue;
          }
          c.inFlight.delete(attemptKey);
          // One failure per distinct attempt, however many requests shared its verification.
          if (!ok) c.failures++;
        }
      },
    };
  }

  /** How many counters are held (for the memory-bound test). */
  get size(): number {
    return this.counters.size;
  }

  /** The key's counter in its current window; an ended window is dropped (nothing in flight). */
  private current(key: string, now: number): Counter | undefined {
    const c = this.counters.get(key);
    if (!c || now < c.windowStartMs + this.limits.windowMs) return c;
    if (c.inFlight.size > 0) {
      // A new window for a counter still in use: it keeps its in-flight attempts.
      c.windowStartMs = now;
      c.failures = 0;
      return c;
    }
    this.counters.delete(key);
    return undefined;
  }

  private add(key: string, now: number): Counter {
    if (this.counters.size >= this.limits.entriesMax) this.evictOne(now);
    const c: Counter = { windowStartMs: now, failures: 0, inFlight: new Map() };
    this.counters.set(key, c);
    return c;
  }

  /** Drops the oldest counter that nothing is waiting on (Map order is insertion order). */
  private evictOne(now: number): void {
    for (const [key, c] of this.counters) {
      if (c.inFlight.size === 0) {
        this.counters.delete(key);
        return;
      }
    }
  }
}
