/**
 * Every timer kind and the command it runs when it falls due. Each API family registers its own.
 */
import { registerOrderTimers } from '../app/orders/order-timers.js';
import { merchantRuntimeFor, merchantStepTimerKind } from '../app/merchant/merchant-runtime.js';
import { expireAuthorization } from '../app/payments/authorize-session.js';
import { expireSession } from '../app/payments/sessions.js';
import { onSettlementTimer, settlementTimerKinds } from '../app/settlement/settlement.js';
import type { AppDeps } from '../http/deps.js';
import type { TimerRunner } from './timer-runner.js';
import { expirePaymentRequest } from '../app/payment-requests/partner-commands.js';
import { paymentRequestTimerKind } from '../app/payment-requests/payment-request-repo.js';

export function registerTimerHandlers(timers: TimerRunner, _deps: AppDeps): void {
  timers.register('session.expire', (uow, timer) => expireSession(uow, timer.aggregateId));
  timers.register('authorization.expire', (uow, timer) => expireAuthorization(uow, timer.aggregateId));
  registerOrderTimers(timers);
  timers.register(paymentRequestTimerKind, expirePaymentRequest);
  timers.register(merchantStepTimerKind, (uow, timer) => merchantRuntimeFor(_deps).onTimer(uow, timer));
  timers.register(settlementTimerKinds.open, (uow, timer) => onSettlementTimer(uow, 'open', timer.aggregateId));
  timers.register(settlementTimerKinds.settle, (uow, timer) => onSettlementTimer(uow, 'settle', timer.aggregateId));
  timers.register(settlementTimerKinds.chargeback, (uow, timer) => onSettlementTimer(uow, 'chargeback', timer.aggregateId));
}
