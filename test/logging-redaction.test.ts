/** Secrets never reach a log line: the redaction paths in src/kassa.ts, checked on real output. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactPaths } from '../src/kassa.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'info' }, stream), lines: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe('log redaction', () => {
  it('censors every *.field path one level down, and nothing else', () => {
    const { logger, lines } = capture();
    const fields = redactPaths.filter((p) => p.startsWith('*.')).map((p) => p.slice(2));
    const session = Object.fromEntries(fields.map((f) => [f, `secret-${f}`]));
    logger.info({ session: { ...session, id: 's1' }, other: { password: 'p' }, password: 'top-level-kept', n: 1, list: [{ password: 'in-array' }] }, 'line');
    const line = lines()[0]!;
    for (const f of fields) expect(line.session[f]).toBe('[redacted]');
    expect(line.session.id).toBe('s1');
    expect(line.other.password).toBe('[redacted]');
    expect(line.password).toBe('top-level-kept'); // same as pino's '*.password': one level down only
    expect(line.n).toBe(1);
    expect(JSON.stringify(line)).not.toContain('secret-');
  });

  it('censors request headers that carry credentials or tokens', () => {
    const { logger, lines } = capture();
    logger.info({ req: { method: 'POST', headers: { authorization: 'Basic c2VjcmV0', 'klarna-customer-token': 'tok', accept: '*/*' } } }, 'with request');
    const line = lines()[0]!;
    expect(line.req.headers.authorization).toBe('[redacted]');
    expect(line.req.headers['klarna-customer-token']).toBe('[redacted]');
    expect(line.req.headers.accept).toBe('*/*');
  });

  it('censors child-logger bindings too, and leaves the logged objects themselves unchanged', () => {
    const { logger, lines } = capture();
    const context = { merchant: { secret: 'hush', name: 'm' } };
    logger.child(context).info({ token: { payment_token: 'pt' } }, 'child');
    const line = lines()[0]!;
    expect(line.merchant).toEqual({ secret: '[redacted]', name: 'm' });
    expect(line.token.payment_token).toBe('[redacted]');
    expect(context.merchant.secret).toBe('hush');
  });
});
