/**
 * Regression tests for defects the reliability suites found (docs/reliability.md lists them).
 * Each test names the suite and the seed or input that found it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestKassa, type TestKassa } from '../support/harness.js';

describe('reliability regressions', () => {
  let t: TestKassa;
  beforeEach(async () => {
    t = await startTestKassa();
  });
  afterEach(async () => t.close());

  // Crash harness, seed 2: an advance whose answer was lost was retried with the same key after the
  // restart and moved the clock a second time (the route ignored Klarna-Idempotency-Key and set the
  // offset outside any commit).
  it('a clock advance retried with the same Klarna-Idempotency-Key moves the clock once', async () => {
    const headers = { 'klarna-idempotency-key': 'advance-once' };
    const first = await t.request('POST', '/sandbox/v1/clock/advance', { body: { seconds: 60 }, headers });
    const again = await t.request('POST', '/sandbox/v1/clock/advance', { body: { seconds: 60 }, headers });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.json().offset_seconds).toBe(60);
    const clock = await t.request('GET', '/sandbox/v1/clock');
    expect(clock.json().offset_seconds).toBe(60);
    const other = await t.request('POST', '/sandbox/v1/clock/advance', { body: { seconds: 60 }, headers: { 'klarna-idempotency-key': 'advance-twice' } });
    expect(other.json().offset_seconds).toBe(120);
  });
});
