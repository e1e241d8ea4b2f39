/**
 * Every timer kind and the command it runs when it falls due. Each API family registers its own.
 */
import type { AppDeps } from '../http/deps.js';
import type { TimerRunner } from './timer-runner.js';
import { merchantRuntimeFor, merchantStepTimerKind } from '../app/merchant/merchant-runtime.js';

export function registerTimerHandlers(_timers: TimerRunner, _deps: AppDeps): void {
  _timers.register(merchantStepTimerKind, (uow, timer) => merchantRuntimeFor(_deps).onTimer(uow, timer));
}
