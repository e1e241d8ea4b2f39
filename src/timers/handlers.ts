/**
 * Every timer kind and the command it runs when it falls due. Each API family registers its own.
 */
import { registerOrderTimers } from '../app/orders/order-timers.js';
import { expireAuthorization } from '../app/payments/authorize-session.js';
import { expireSession } from '../app/payments/sessions.js';
import type { AppDeps } from '../http/deps.js';
import type { TimerRunner } from './timer-runner.js';
import { expirePaymentRequest } from '../app/payment-requests/partner-commands.js';
import { paymentRequestTimerKind } from '../app/payment-requests/payment-request-repo.js';

export function registerTimerHandlers(timers: TimerRunner, _deps: AppDeps): void {
  timers.register('session.expire', (uow, timer) => expireSession(uow, timer.aggregateId));
  timers.register('authorization.expire', (uow, timer) => expireAuthorization(uow, timer.aggregateId));
  registerOrderTimers(timers);
  timers.register(paymentRequestTimerKind, expirePaymentRequest);
}
