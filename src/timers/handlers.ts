/**
 * Every timer kind and the command it runs when it falls due. Each API family registers its own.
 */
import { registerOrderTimers } from '../app/orders/order-timers.js';
import type { AppDeps } from '../http/deps.js';
import type { TimerRunner } from './timer-runner.js';

export function registerTimerHandlers(_timers: TimerRunner, _deps: AppDeps): void {
  registerOrderTimers(_timers);
}
