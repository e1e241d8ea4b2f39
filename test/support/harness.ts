/**
 * An in-process Kassa for HTTP tests: in-memory SQLite (or a PostgreSQL schema), a manual clock,
 * a recording webhook transport, and a merchant account with Basic credentials.
 * Requests go through `app.inject()`; nothing listens on a socket.
 */
import type { LightMyRequestResponse } from 'fastify';
import { ManualClock } from '../../src/app/ports.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createKassa, type Kassa } from '../../src/kassa.js';
import type { Transport } from '../../src/outbox/dispatcher.js';
import type { Store } from '../../src/store/port.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import pino, { type Logger } from 'pino';

export interface Merchant {
  username: string;
  password: string;
  accountId: string;
  authorization: string;
}

export interface RecordedDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A transport that records every POST and answers with `respond` (200 by default). */
export class RecordingTransport implements Transport {
  readonly deliveries: RecordedDelivery[] = [];
  respond: (d: RecordedDelivery) => number | Promise<number> = () => 200;
  async post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number }> {
    const d = { url, headers, body };
    this.deliveries.push(d);
    return { status: await this.respond(d) };
  }
}

export interface TestKassa {
  kassa: Kassa;
  clock: ManualClock;
  transport: RecordingTransport;
  merchant: Merchant;
  config: Config;
  createMerchant(username?: string): Promise<Merchant>;
  request(method: string, url: string, options?: { body?: unknown; merchant?: Merchant | null; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  advance(seconds: number, merchant?: Merchant): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export const startTime = Date.parse('2026-01-15T10:00:00.000Z');

/**
 * scrypt at 1/16 of the server's cost for the harness's throw-away accounts: every test creates one
 * and signs in with it, and at full cost those two hashes were ~40 % of the in-process suites' CPU.
 * Hashing and verifying are the same code; only the work factor differs (tests of the server's
 * own cost start Kassa without the harness).
 */
export const testScryptCost = { N: 1024, r: 8, p: 1 };

let merchantSeq = 0;

export async function startTestKassa(options: { store?: Store; env?: Record<string, string>; clock?: ManualClock; logger?: Logger } = {}): Promise<TestKassa> {
  const config = loadConfig({ KASSA_LOG_LEVEL: 'silent', DATABASE_URL: 'sqlite::memory:', ...options.env }, process.cwd());
  const clock = options.clock ?? new ManualClock(startTime);
  const transport = new RecordingTransport();
  const store = options.store ?? new SqliteStore({ path: ':memory:' });
  const kassa = await createKassa(config, { clock, store, transport, logger: options.logger ?? pino({ level: 'silent' }), secretHashing: testScryptCost });
  await kassa.app.ready();

  const createMerchant = async (username = `merchant${++merchantSeq}_${Math.random().toString(36).slice(2, 7)}`): Promise<Merchant> => {
    const password = `pw-${username}-secret`;
    const account = await kassa.deps.accounts.create(username, password);
    return { username, password, accountId: account.id, authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  };
  const merchant = await createMerchant();

  const request: TestKassa['request'] = (method, url, opts = {}) => {
    const who = opts.merchant === undefined ? merchant : opts.merchant;
    const headers: Record<string, string> = { ...opts.headers };
    if (who) headers.authorization = who.authorization;
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    return kassa.app.inject({ method: method as 'GET', url, headers, payload });
  };

  return {
    kassa,
    clock,
    transport,
    merchant,
    config,
    createMerchant,
    request,
    advance: (seconds, who = merchant) => request('POST', '/sandbox/v1/clock/advance', { body: { seconds }, merchant: who }),
    close: () => kassa.close(),
  };
}
