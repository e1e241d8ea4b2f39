/**
 * Wires a Kassa instance from its configuration: store, engine, accounts, timers, outbox and the
 * HTTP app. Used by main.ts (the server), the CLI, and the tests (in-process, injected clock).
 */
import pino, { type Logger } from 'pino';
import { Accounts, generateCredentials, type ScryptCost } from './app/accounts.js';
import { ClientTokens } from './app/client-tokens.js';
import { Engine } from './app/engine.js';
import { startMaintenance } from './app/maintenance.js';
import { SignInThrottle } from './app/sign-in-throttle.js';
import { cryptoRandom, systemClock, type Clock, type Random } from './app/ports.js';
import type { Config } from './config/config.js';
import { buildApp, type App } from './http/app.js';
import type { AppDeps } from './http/deps.js';
import { OutboxDispatcher, guardedTransport, type Transport } from './outbox/dispatcher.js';
import { registerTimerHandlers } from './timers/handlers.js';
import { TimerRunner } from './timers/timer-runner.js';
import { limits } from './domain/limits.js';
import { openStore } from './store/open-store.js';
import { RequestLog } from './http/request-log.js';
import { secretFieldNames } from './http/redaction.js';
import { requestLogDropped, requestLogWriteFailures, watchStore } from './metrics/metrics.js';
import { DuplicateKey, type Store } from './store/port.js';

export interface KassaOptions {
  clock?: Clock;
  random?: Random;
  store?: Store;
  logger?: Logger;
  transport?: Transport;
  /** Cost of hashing account secrets; Node's scrypt defaults unless a test harness injects less. */
  secretHashing?: ScryptCost;
}

export interface Kassa {
  app: App;
  deps: AppDeps;
  /** Starts the background workers (timer poller, outbox dispatcher). */
  startWorkers(): void;
  close(): Promise<void>;
}

/** Fields never written to logs. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers["klarna-payment-token"]',
  'req.headers["klarna-network-session-token"]',
  'req.headers["klarna-customer-token"]',
  'req.headers["klarna-interoperability-token"]',
  // The same secret fields the requests log censors (src/http/redaction.ts), one level down.
  ...secretFieldNames.map((field) => `*.${field}`),
];

/**
 * The server's logger: pino with the redactions above, to stdout (`logDestination`) unless a
 * destination is given (tests, the in-process benchmark).
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino({ level: config.logLevel, redact: { paths: redactPaths, censor: '[redacted]' } }, destination ?? logDestination(1));
}

/**
 * Where log lines go: written asynchronously (sonic-boom, `sync: false`), so lines that come while
 * a write is under way go out together in the next one instead of one blocking write(2) per line
 * on the event loop; pino flushes what is buffered when the process exits (a kill -9 can lose the
 * last lines, never a committed write). Chunks of at most `limits.logWriteBytesMax`: sonic-boom
 * measures the chunk it appends to on every line, which copies it, so large chunks cost more
 * memory traffic than the extra writes they save (docs/performance.md).
 */
export function logDestination(dest: number | string): pino.DestinationStream {
  return pino.destination({ dest, sync: false, maxWrite: limits.logWriteBytesMax });
}

export async function createKassa(config: Config, options: KassaOptions = {}): Promise<Kassa> {
  const logger = options.logger ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  // With KASSA_WORKERS above 1 the cluster's processes share the file; alone, a server holds it while it writes.
  const store = options.store ?? openStore(config.store, { soleProcess: config.workers === 1 });
  await store.migrate();

  const engine = new Engine({ store, clock, random, logger });
  const accounts = new Accounts(store, clock, random, config.mode, options.secretHashing);
  const timers = new TimerRunner(engine, logger);
  const outbox = new OutboxDispatcher(engine, logger, options.transport ?? guardedTransport(config.outbound));
  const secret = config.tokenSecret ?? (await store.getOrCreateSetting('client_token_secret', random.token(32)));
  const clientTokens = new ClientTokens(secret, config.publicUrl);
  const requestLog = new RequestLog(store, logger, { dropped: (n) => requestLogDropped.inc(n), writeFailed: () => requestLogWriteFailures.inc() });
  const unwatchStore = watchStore(store, clock);
  const signInThrottle = new SignInThrottle(clock);
  const deps: AppDeps = { config, engine, accounts, signInThrottle, timers, outbox, clientTokens, logger, requestLog };
  registerTimerHandlers(timers, deps);
  const app = await buildApp(deps);

  let stopMaintenance = () => {};
  return {
    app,
    deps,
    startWorkers() {
      timers.start(config.pollIntervalMs);
      outbox.start(config.pollIntervalMs);
      stopMaintenance = startMaintenance(store, clock, logger);
    },
    async close() {
      stopMaintenance();
      await app.close();
      await timers.stop();
      await outbox.stop();
      await requestLog.close();
      unwatchStore();
      await store.close();
    },
  };
}

/**
 * In sandbox mode there is always a merchant to call with: the one named by
 * KASSA_SANDBOX_MERCHANT, or one generated at first start whose password is printed once.
 */
export async function ensureSandboxMerchant(kassa: Kassa, print: (line: string) => void): Promise<void> {
  const { config, accounts, engine } = kassa.deps;
  if (config.mode !== 'sandbox') return;
  const wanted = config.sandboxMerchant;
  if (wanted) {
    const existing = await engine.store.getAccountByUsername(wanted.username);
    // Several nodes starting together on one PostgreSQL race to create it: one wins, the others
    // find it made (DuplicateKey) and check the password like any later start.
    const created = existing ? undefined : await accounts.create(wanted.username, wanted.password, { isDefault: true }).catch((e) => (e instanceof DuplicateKey ? undefined : Promise.reject(e)));
    if (created) {
      print(`Sandbox merchant ${wanted.username} created (account_id ${created.id}).`);
    } else if (!(await accounts.authenticate(wanted.username, wanted.password))) {
      throw new Error(`KASSA_SANDBOX_MERCHANT: account ${wanted.username} exists with a different password`);
    }
    return;
  }
  if ((await engine.store.listAccounts()).some((a) => a.isDefault)) return;
  const credentials = generateCredentials(engine.random);
  // Several nodes starting together on one database: one creates it and prints its credentials.
  const account = await accounts.createDefault(credentials.username, credentials.password);
  if (!account) return;
  print('Sandbox merchant created. These credentials are shown only once:');
  print(`  username: ${credentials.username}`);
  print(`  password: ${credentials.password}`);
  print(`  account_id: ${account.id}`);
  print(`  try: curl -u '${credentials.username}:${credentials.password}' ${config.publicUrl}/sandbox/v1/account`);
}
