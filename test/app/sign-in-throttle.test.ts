/** The failed sign-in throttle on its own: limits, windows, bursts, memory bound (issue 17). */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/app/ports.js';
import { SignInThrottle } from '../../src/app/sign-in-throttle.js';
import { limits } from '../../src/domain/limits.js';

const fail = (t: SignInThrottle, user: string, address: string) => {
  const v = t.begin(user, address);
  if (v.allowed) v.done(false);
  return v;
};

describe('SignInThrottle', () => {
  it('allows exactly the limit of failures per username, then refuses until the window ends', () => {
    const clock = new ManualClock(0);
    const t = new SignInThrottle(clock);
    for (let i = 0; i < limits.signInFailuresPerUsernameMax; i++) expect(fail(t, 'shop', `10.0.0.${i}`).allowed).toBe(true);
    const refused = t.begin('shop', '10.0.1.1');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: limits.signInThrottleWindowMs / 1000 });
    // Another username from those addresses is not affected.
    expect(t.begin('other', '10.0.0.1').allowed).toBe(true);
    clock.advance(limits.signInThrottleWindowMs - 1000);
    expect(t.begin('shop', '10.0.1.1')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1000);
    expect(t.begin('shop', '10.0.1.1').allowed).toBe(true);
  });

  it('allows exactly the limit of failures per address, across usernames', () => {
    const clock = new ManualClock(0);
    const t = new SignInThrottle(clock);
    for (let i = 0; i < limits.signInFailuresPerAddressMax; i++) expect(fail(t, `user${i}`, '192.0.2.7').allowed).toBe(true);
    expect(t.begin('fresh-user', '192.0.2.7').allowed).toBe(false);
    expect(t.begin('fresh-user', '192.0.2.8').allowed).toBe(true);
  });

  it('counts attempts still being verified, so a parallel burst cannot all get in', () => {
    const t = new SignInThrottle(new ManualClock(0));
    const verdicts = Array.from({ length: 200 }, () => t.begin('shop', '192.0.2.1'));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(limits.signInFailuresPerUsernameMax);
    for (const v of verdicts) if (v.allowed) v.done(false);
    expect(t.begin('shop', '192.0.2.1').allowed).toBe(false);
  });

  it('counts requests sharing one credential pair (one verification) as one attempt', () => {
    const t = new SignInThrottle(new ManualClock(0));
    const same = Array.from({ length: 50 }, () => t.begin('shop', '192.0.2.1', 'pair-1'));
    expect(same.every((v) => v.allowed)).toBe(true);
    for (const v of same) if (v.allowed) v.done(false);
    // Fifty requests, one wrong pair: one failure.
    for (let i = 1; i < limits.signInFailuresPerUsernameMax; i++) expect(fail(t, 'shop', '192.0.2.1').allowed).toBe(true);
    expect(t.begin('shop', '192.0.2.1', 'pair-1').allowed).toBe(false);
  });

  it("a success clears the username's failures but not the address's", () => {
    const t = new SignInThrottle(new ManualClock(0), { failuresPerUsernameMax: 3, failuresPerAddressMax: 5, windowMs: 60_000, entriesMax: 100 });
    fail(t, 'shop', 'a');
    fail(t, 'shop', 'a');
    const ok = t.begin('shop', 'a');
    expect(ok.allowed).toBe(true);
    if (ok.allowed) ok.done(true);
    fail(t, 'shop', 'a');
    fail(t, 'shop', 'a');
    expect(t.begin('shop', 'b').allowed).toBe(true); // 2 of 3 for the name again
    fail(t, 'x', 'a'); // the address's fifth failure
    expect(t.begin('y', 'a').allowed).toBe(false);
  });

  it('keeps at most signInThrottleEntriesMax counters with the default limits', () => {
    const t = new SignInThrottle(new ManualClock(0));
    for (let i = 0; i < limits.signInThrottleEntriesMax; i++) fail(t, `user${i}`, `a${i}`);
    expect(t.size).toBe(limits.signInThrottleEntriesMax);
    fail(t, 'one-more', 'one-more-address');
    expect(t.size).toBe(limits.signInThrottleEntriesMax);
  });

  it('keeps at most entriesMax counters however many names and addresses fail', () => {
    const t = new SignInThrottle(new ManualClock(0), { failuresPerUsernameMax: 3, failuresPerAddressMax: 3, windowMs: 60_000, entriesMax: 50 });
    for (let i = 0; i < 1000; i++) fail(t, `user${i}`, `198.51.100.${i % 250}`);
    expect(t.size).toBeLessThanOrEqual(50);
    // A megabyte-long name is held as one short key.
    fail(t, 'x'.repeat(1_000_000), 'z');
    expect(t.size).toBeLessThanOrEqual(50);
  });
});
