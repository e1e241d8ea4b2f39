/**
 * What the HTTP app is built from. Everything is passed in explicitly (tests build the app
 * in-process with an in-memory store and a manual clock).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Accounts } from '../app/accounts.js';
import type { Engine } from '../app/engine.js';
import type { SignInThrottle } from '../app/sign-in-throttle.js';
import type { ClientTokens } from '../app/client-tokens.js';
import type { OutboxDispatcher } from '../outbox/dispatcher.js';
import type { TimerRunner } from '../timers/timer-runner.js';
import type { RequestLog } from './request-log.js';

export interface AppDeps {
  config: Config;
  engine: Engine;
  accounts: Accounts;
  signInThrottle: SignInThrottle;
  timers: TimerRunner;
  outbox: OutboxDispatcher;
  clientTokens: ClientTokens;
  logger: Logger;
  /** The account's recent API requests (buffered, written in batches off the requests' path). */
  requestLog: RequestLog;
}
