/**
 * Pure tests of the payment request domain: one test per row of the transition table (generated
 * from it), every final state ignoring every signal, every open-state refusal, the expiry window
 * and every return_url placeholder.
 */
import { describe, expect, it } from 'vitest';
import { isRejection } from '../../src/domain/errors.js';
import { isFinal } from '../../src/domain/machine.js';
import { parseDuration, expiryFor } from '../../src/domain/payment-request/interaction-expiry.js';
import { eventTypeFor, paymentRequestMachine, stateReasonFor, type PaymentRequestEvent, type PaymentRequestStatus } from '../../src/domain/payment-request/payment-request-machine.js';
import { decide, openPaymentRequest, tokenUsable, type PaymentRequestState } from '../../src/domain/payment-request/payment-request-state.js';
import { isValidReturnUrl, returnUrlPlaceholders, substituteReturnUrl } from '../../src/domain/payment-request/return-url.js';

const now = Date.parse('2026-01-15T10:00:00Z');
const events: PaymentRequestEvent[] = ['update', 'enter', 'approve', 'abort', 'decline', 'cancel', 'expire'];

function requestIn(state: PaymentRequestStatus): PaymentRequestState {
  const r = openPaymentRequest({ id: 'krn:payment:eu1:request:1', now, expiresAtMs: now + 3600_000, origin: 'direct', amount: 100, currency: 'EUR', payment_request_url: 'http://x/j' });
  return { ...r, state };
}

describe('payment request machine (one test per transition)', () => {
  for (const t of paymentRequestMachine.transitions) {
    it(`${t.from} -${t.event}${t.guard ? ` [${t.guard}]` : ''}-> ${t.to}`, () => {
      const decided = decide(requestIn(t.from), t.event, now + 1000, t.guard);
      expect(isRejection(decided)).toBe(false);
      if (isRejection(decided) || decided.kind !== 'moved') throw new Error('not moved');
      expect(decided.state).toMatchObject({ state: t.to, previous_state: t.from, state_reason: stateReasonFor(t.event, t.to), updated_at: new Date(now + 1000).toISOString() });
      expect(eventTypeFor(t.event, t.to)).toBe(t.event === 'update' ? 'payment.request.updated' : `payment.request.state-change.${t.to.toLowerCase().replace('_', '-')}`);
    });
  }

  it('is exactly the seed diagram plus DECLINED', () => {
    const rows = paymentRequestMachine.transitions.map((t) => `${t.from}>${t.to}`);
    expect(new Set(rows)).toEqual(
      new Set(['SUBMITTED>IN_PROGRESS', 'SUBMITTED>CANCELED', 'SUBMITTED>EXPIRED', 'SUBMITTED>SUBMITTED', 'IN_PROGRESS>COMPLETED', 'IN_PROGRESS>SUBMITTED', 'IN_PROGRESS>CANCELED', 'IN_PROGRESS>EXPIRED', 'IN_PROGRESS>DECLINED']),
    );
    expect(paymentRequestMachine.finals).toEqual(['COMPLETED', 'CANCELED', 'EXPIRED', 'DECLINED']);
  });

  for (const state of paymentRequestMachine.finals) {
    it(`${state} is final: every signal is ignored and changes nothing`, () => {
      for (const event of events) {
        const r = requestIn(state);
        const decided = decide(r, event, now);
        expect(decided).toEqual({ kind: 'ignored', state: r, event });
      }
    });
  }

  for (const state of paymentRequestMachine.states.filter((s) => !isFinal(paymentRequestMachine, s))) {
    for (const event of events.filter((e) => !paymentRequestMachine.transitions.some((t) => t.from === state && t.event === e))) {
      it(`${state} refuses ${event} with INVALID_STATE`, () => {
        const decided = decide(requestIn(state), event, now);
        expect(isRejection(decided) && decided.code).toBe('PAYMENT_REQUEST_STATE');
      });
    }
  }

  it('a payment token is usable for 60 minutes, once', () => {
    const r = requestIn('COMPLETED');
    r.internal.tokenExpiresAtMs = now + 3600_000;
    expect(tokenUsable(r, now + 3600_000 - 1)).toBe(true);
    expect(tokenUsable(r, now + 3600_000)).toBe('expired');
    expect(tokenUsable({ ...r, internal: { ...r.internal, tokenUsedAtMs: now } }, now)).toBe('used');
  });
});

describe('interaction_expiry', () => {
  it('parses ISO-8601 durations', () => {
    expect(parseDuration('PT15M')).toBe(15 * 60_000);
    expect(parseDuration('PT1H30M')).toBe(90 * 60_000);
    expect(parseDuration('P1DT2H')).toBe(26 * 3600_000);
    expect(parseDuration('PT900S')).toBe(900_000);
    expect(parseDuration('P2D')).toBe(48 * 3600_000);
    for (const bad of ['P', 'PT', '1H', 'PT1X', 'P1M', '', 'PT-1H']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('defaults to 48 hours and accepts 15 minutes to 48 hours', () => {
    expect(expiryFor(now, undefined, 'f')).toBe(now + 48 * 3600_000);
    expect(expiryFor(now, {}, 'f')).toBe(now + 48 * 3600_000);
    expect(expiryFor(now, { duration: 'PT15M' }, 'f')).toBe(now + 15 * 60_000);
    expect(expiryFor(now, { duration: 'PT48H' }, 'f')).toBe(now + 48 * 3600_000);
    expect(expiryFor(now, { timestamp: '2026-01-15T11:00:00Z' }, 'f')).toBe(now + 3600_000);
  });

  it('refuses anything outside the window, both forms, or garbage, naming the field', () => {
    const cases: [object, string][] = [
      [{ duration: 'PT14M59S' }, 'f.duration'],
      [{ duration: 'PT48H1S' }, 'f.duration'],
      [{ duration: 'soon' }, 'f.duration'],
      [{ timestamp: '2026-01-15T10:10:00Z' }, 'f.timestamp'],
      [{ timestamp: '2026-01-18T10:00:00Z' }, 'f.timestamp'],
      [{ timestamp: 'tomorrow' }, 'f.timestamp'],
      [{ duration: 'PT1H', timestamp: '2026-01-15T11:00:00Z' }, 'f'],
    ];
    for (const [expiry, field] of cases) {
      const r = expiryFor(now, expiry, 'f');
      expect(isRejection(r) && r.code).toBe('BAD_VALUE');
      expect(isRejection(r) && r.messages[0]).toMatch(new RegExp(`^Bad value: ${field.replace('.', '\\.')} `));
    }
  });
});

describe('return_url placeholders', () => {
  const values = {
    id: 'krn:payment:eu1:request:10be1d49',
    state: 'COMPLETED',
    payment_token: 'krn:payment:eu1:payment-token:31b5',
    klarna_network_session_token: 'krn:network:eu1:session-token:a b',
    interoperability_token: 'io/tok+en=',
    payment_request_reference: 'ref & more',
  };

  for (const name of returnUrlPlaceholders) {
    it(`substitutes {klarna.payment_request.${name}} URL-encoded`, () => {
      const out = substituteReturnUrl(`https://p.example/r?v={klarna.payment_request.${name}}`, values);
      const expected = name === 'payment_reference' ? values.payment_request_reference : values[name];
      expect(out).toBe(`https://p.example/r?v=${encodeURIComponent(expected)}`);
      expect(new URL(out).searchParams.get('v')).toBe(expected);
    });
  }

  it('fills placeholders without a value with nothing, leaves unknown ones, and reads percent-encoded braces', () => {
    expect(substituteReturnUrl('https://p/{klarna.payment_request.payment_token}/x?s={klarna.payment_request.state}', { state: 'SUBMITTED' })).toBe('https://p//x?s=SUBMITTED');
    expect(substituteReturnUrl('https://p/?a={klarna.payment_request.unknown}', values)).toBe('https://p/?a={klarna.payment_request.unknown}');
    expect(substituteReturnUrl('https://p/?a=%7Bklarna.payment_request.state%7D', values)).toBe('https://p/?a=COMPLETED');
  });

  it('validates return URLs after filling in placeholders', () => {
    expect(isValidReturnUrl('https://p.example/r?id={klarna.payment_request.id}')).toBe(true);
    expect(isValidReturnUrl('{klarna.payment_request.id}')).toBe(false);
    expect(isValidReturnUrl('javascript:alert(1)')).toBe(false);
    expect(isValidReturnUrl('ftp://p.example/')).toBe(false);
  });
});
