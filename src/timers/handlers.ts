/**
 * Every timer kind and the command it runs when it falls due. Each API family registers its own.
 */
import { registerOrderTimers } from '../app/orders/order-timers.js';
import { expireAuthorization } from '../app/payments/authorize-session.js';
import { expireSession } from '../app/payments/sessions.js';
import type { AppDeps } from '../http/deps.js';
import type { TimerRunner } from './timer-runner.js';

export function registerTimerHandlers(timers: TimerRunner, _deps: AppDeps): void {
  timers.register('session.expire', (uow, timer) => expireSession(uow, timer.aggregateId));
  timers.register('authorization.expire', (uow, timer) => expireAuthorization(uow, timer.aggregateId));
  registerOrderTimers(timers);
}
