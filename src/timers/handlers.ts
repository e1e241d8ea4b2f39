/**
 * Every timer kind and the command it runs when it falls due. Each API family registers its own.
 */
import type { AppDeps } from '../http/deps.js';
import type { TimerRunner } from './timer-runner.js';
import { expirePaymentRequest } from '../app/payment-requests/partner-commands.js';
import { paymentRequestTimerKind } from '../app/payment-requests/payment-request-repo.js';

export function registerTimerHandlers(_timers: TimerRunner, _deps: AppDeps): void {
  _timers.register(paymentRequestTimerKind, expirePaymentRequest);
}
