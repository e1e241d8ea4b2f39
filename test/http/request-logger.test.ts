/**
 * Log lines of an HTTP request: one `request` line per request with its correlation id, method,
 * route pattern, status and time; a rejection's own line carries the same correlation id (through
 * the request's child logger, which is only built when a request logs something of its own).
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limits } from '../../src/domain/limits.js';
import { createLogger, logDestination } from '../../src/kassa.js';
import { startTestKassa } from '../support/harness.js';

describe('request log lines', () => {
  it('writes one request line per request, and a rejection line with the same correlation id', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const k = await startTestKassa({ logger });
    try {
      const ok = await k.request('POST', '/payments/v1/sessions', { body: { purchase_country: 'SE', purchase_currency: 'SEK', locale: 'sv-SE', order_amount: 100, order_lines: [{ name: 'x', quantity: 1, unit_price: 100, total_amount: 100 }] } });
      expect(ok.statusCode).toBe(200);
      const missing = await k.request('GET', '/ordermanagement/v1/orders/no-such-order');
      expect(missing.statusCode).toBe(404);
      const requestLines = lines.filter((l) => l.msg === 'request');
      expect(requestLines.map(({ method, url, status }) => ({ method, url, status }))).toEqual([
        { method: 'POST', url: '/payments/v1/sessions', status: 200 },
        { method: 'GET', url: '/ordermanagement/v1/orders/:order_id', status: 404 },
      ]);
      expect(requestLines[0]!.correlationId).toBe(ok.headers['klarna-correlation-id']);
      expect(requestLines[1]!.correlationId).toBe(missing.headers['klarna-correlation-id']);
      expect(typeof requestLines[0]!.ms).toBe('number');
      const rejected = lines.find((l) => l.msg === 'request rejected');
      expect(rejected).toMatchObject({ correlationId: missing.headers['klarna-correlation-id'], errorCode: 'NO_SUCH_ORDER', status: 404 });
    } finally {
      await k.close();
    }
  });

  it('writes the log to its destination asynchronously, in chunks of at most limits.logWriteBytesMax bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-log-'));
    const file = join(dir, 'kassa.log');
    const destination = logDestination(file) as unknown as { maxWrite: number; sync: boolean; flushSync(): void; end(): void };
    expect(destination.maxWrite).toBe(limits.logWriteBytesMax);
    expect(destination.sync).toBe(false);
    const logger = createLogger({ logLevel: 'info' }, destination as never);
    await new Promise((resolve) => (destination as unknown as NodeJS.EventEmitter).once('ready', resolve));
    for (let i = 0; i < 200; i++) logger.info({ i }, 'line');
    destination.flushSync();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { i: number });
    expect(lines.map((l) => l.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    destination.end();
    rmSync(dir, { recursive: true, force: true });
  });
});
