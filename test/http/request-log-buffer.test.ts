/**
 * The requests log's buffer and its redaction rules, without HTTP: entries are written in batches
 * of at most requestLogBatchMax, a refused write keeps them for a retry, the buffer never holds
 * more than requestLogBufferMax (the oldest go, counted), and recording never throws or waits.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { limits } from '../../src/domain/limits.js';
import { RequestLog, truncate } from '../../src/http/request-log.js';
import { luhnValid, redactJson, redactText, redactUrl } from '../../src/http/redaction.js';
import type { RequestLogWrite, Store } from '../../src/store/port.js';

const entry = (n: number): RequestLogWrite => ({ id: `r${n}`, accountId: 'a', at: n, method: 'GET', path: '/x', route: '/x', statusCode: 200, durationMs: 1, correlationId: `c${n}` });

function fakeStore() {
  const written: RequestLogWrite[][] = [];
  const state = { fail: false, written };
  const store = {
    async appendRequestLog(entries: RequestLogWrite[]) {
      if (state.fail) throw new Error('store away');
      written.push(entries);
    },
  } as unknown as Store;
  return { store, state };
}

describe('request log buffer', () => {
  it('writes in batches of at most requestLogBatchMax', async () => {
    const { store, state } = fakeStore();
    const log = new RequestLog(store, pino({ level: 'silent' }));
    for (let i = 0; i < limits.requestLogBatchMax + 3; i++) log.record(entry(i));
    expect(state.written).toEqual([]); // nothing on the recording path
    await log.flush();
    expect(state.written.map((b) => b.length)).toEqual([limits.requestLogBatchMax, 3]);
    expect(log.pending).toBe(0);
    await log.close();
  });

  it('keeps a refused batch for the next flush, and drops (and counts) only beyond the bound', async () => {
    const { store, state } = fakeStore();
    let dropped = 0;
    let failures = 0;
    const log = new RequestLog(store, pino({ level: 'silent' }), { dropped: (n) => (dropped += n), writeFailed: () => failures++ });
    state.fail = true;
    log.record(entry(1));
    await log.flush(); // does not throw
    expect(failures).toBe(1);
    expect(log.pending).toBe(1);
    for (let i = 2; i <= limits.requestLogBufferMax + 5; i++) log.record(entry(i));
    expect(log.pending).toBe(limits.requestLogBufferMax);
    expect(dropped).toBe(5);
    state.fail = false;
    await log.flush();
    const ids = state.written.flat().map((e) => e.id);
    expect(ids.length).toBe(limits.requestLogBufferMax);
    expect(ids[0]).toBe('r6'); // the five oldest went
    expect(ids.at(-1)).toBe(`r${limits.requestLogBufferMax + 5}`);
    await log.close();
  });

  it('drops a batch the store refused requestLogWriteAttemptsMax times running (counted), and goes on', async () => {
    const { store, state } = fakeStore();
    let dropped = 0;
    const log = new RequestLog(store, pino({ level: 'silent' }), { dropped: (n) => (dropped += n), writeFailed: () => undefined });
    state.fail = true;
    log.record(entry(1));
    for (let i = 1; i < limits.requestLogWriteAttemptsMax; i++) await log.flush();
    expect(log.pending).toBe(1); // kept through every failure but the last
    await log.flush();
    expect(log.pending).toBe(0);
    expect(dropped).toBe(1);
    state.fail = false;
    log.record(entry(2));
    await log.flush();
    expect(state.written.flat().map((e) => e.id)).toEqual(['r2']);
    await log.close();
  });

  it('writes what is buffered on close', async () => {
    const { store, state } = fakeStore();
    const log = new RequestLog(store, pino({ level: 'silent' }));
    log.record(entry(1));
    await log.close();
    expect(state.written.flat().map((e) => e.id)).toEqual(['r1']);
  });
});

describe('redaction rules', () => {
  it('censors secret fields at any depth, case-insensitively, and leaves the rest', () => {
    expect(redactJson({ a: { b: [{ Password: 'p', client_token: 't', token_id: 'ct', keep: 'k' }] }, signing_key: 'sk', n: 1234567890123, nil: null })).toEqual({
      a: { b: [{ Password: '[redacted]', client_token: '[redacted]', token_id: '[redacted]', keep: 'k' }] },
      signing_key: '[redacted]',
      n: 1234567890123, // numbers are left (timestamps look like card numbers)
      nil: null,
    });
  });

  it('censors card numbers (Luhn-valid, as cards print them), credentials and notification tokens in text', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(redactText('pay 4111111111111111 or 4111-1111-1111-1111 or 3782 822463 10005')).toBe('pay [redacted] or [redacted] or [redacted]');
    expect(redactText('ref 4111111111111112')).toBe('ref 4111111111111112');
    expect(redactText('id 01234567-1234-7123-8abc-0123456789ab')).toBe('id 01234567-1234-7123-8abc-0123456789ab');
    expect(redactText('Authorization: Basic dXNlcjpwYXNzd29yZA==')).toBe('Authorization: Basic [redacted]');
    expect(redactText('https://k.example/merchant/v1/notifications/abcDEF123?x=1')).toBe('https://k.example/merchant/v1/notifications/[redacted]?x=1');
  });

  it('censors tokens by their shape wherever they are, and the caller\'s own password', () => {
    const v7 = '01a23ae6-95d8-7000-9326-af34baf6b99f'; // an object id: kept
    const v4 = 'cf438078-7875-44b9-953c-4a57cbf6ac45'; // a capability (authorization or customer token)
    expect(redactText(`id ${v7} token ${v4}`)).toBe(`id ${v7} token [redacted]`);
    expect(redactText('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig-nature_1')).toBe('[redacted]');
    expect(redactText('krn:payment:eu1:payment-token:abc krn:network:eu1:session-token:def krn:payment:eu1:request:ghi')).toBe(
      'krn:payment:eu1:payment-token:[redacted] krn:network:eu1:session-token:[redacted] krn:payment:eu1:request:ghi',
    );
    expect(redactText('http://k/kp/v1/journey/payment-request#t=eZLV8LMN1-8Iqxc7K6Kf&x=1')).toBe('http://k/kp/v1/journey/payment-request#t=[redacted]&x=1');
    expect(redactText('http://k/payments/v1/redirect/token/abc')).toBe('http://k/payments/v1/redirect/token/[redacted]');
    expect(redactText('fUvhASD0kXQD9498qkPbmScz5qupsLV2xjqtw1DP and merchant_reference_of_the_shop_two')).toBe('[redacted] and merchant_reference_of_the_shop_two');
    expect(redactJson({ note: 'my pw is hunter22!' }, ['hunter22!'])).toEqual({ note: 'my pw is [redacted]' });
    expect(redactUrl('/payments/v1/sessions/hunter%2022', '/payments/v1/sessions/:session_id', ['hunter 22'])).toBe('/payments/v1/sessions/[redacted]');
  });

  it('censors token route parameters and secret query parameters', () => {
    expect(redactUrl('/customer-token/v1/tokens/tok123/order', '/customer-token/v1/tokens/:customerToken/order')).toBe('/customer-token/v1/tokens/[redacted]/order');
    expect(redactUrl('/payments/v1/sessions/s1?payment_token=x&Auth=y&page=2&flag', '/payments/v1/sessions/:session_id')).toBe(
      '/payments/v1/sessions/s1?payment_token=[redacted]&Auth=[redacted]&page=2&flag',
    );
    expect(redactUrl('/unknown/abc123/thing', undefined)).toBe('/unknown/{id}/thing');
  });

  it('truncates within the limit, with a mark', () => {
    expect(truncate('abc', 3)).toBe('abc');
    const cut = truncate('x'.repeat(200), 60);
    expect(cut.length).toBeLessThanOrEqual(60);
    expect(cut).toMatch(/^x+ … \[truncated: 200 characters\]$/);
  });
});
