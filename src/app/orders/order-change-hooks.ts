/**
 * Hooks on every Order Management order change, called synchronously in the unit of work that
 * writes the change (Order Management calls `afterOrderChanged` where it applies a decision).
 * Provider-side features that follow the order without belonging to Order Management — capture
 * settlement and disputes (src/app/settlement) — register here, so Order Management knows nothing
 * of them.
 */
import type { OrderState } from '../../domain/order/order-state.js';
import type { UnitOfWork } from '../unit-of-work.js';

export type OrderChangedHook = (uow: UnitOfWork, before: OrderState | undefined, after: OrderState) => void;

const hooks: OrderChangedHook[] = [];

export function onOrderChanged(hook: OrderChangedHook): void {
  if (!hooks.includes(hook)) hooks.push(hook);
}

export function afterOrderChanged(uow: UnitOfWork, before: OrderState | undefined, after: OrderState): void {
  for (const hook of hooks) hook(uow, before, after);
}
