/**
 * Hooks on every Order Management order change, called in the unit of work that writes the change
 * (Order Management awaits `afterOrderChanged` where it applies a decision), so whatever a hook
 * writes commits with the change. Provider-side features that follow the order without belonging
 * to Order Management — capture settlement and disputes (src/app/settlement), the v2 payment
 * transaction webhooks (src/app/payment-requests/payment-transaction.ts) — register here, so Order
 * Management knows nothing of them. A hook may be async (publishing a webhook reads the account's
 * subscriptions); hooks run one after the other, in registration order.
 */
import type { OrderState } from '../../domain/order/order-state.js';
import type { UnitOfWork } from '../unit-of-work.js';

export type OrderChangedHook = (uow: UnitOfWork, before: OrderState | undefined, after: OrderState) => void | Promise<void>;

const hooks: OrderChangedHook[] = [];

export function onOrderChanged(hook: OrderChangedHook): void {
  if (!hooks.includes(hook)) hooks.push(hook);
}

export async function afterOrderChanged(uow: UnitOfWork, before: OrderState | undefined, after: OrderState): Promise<void> {
  // Only a hook that returned a promise is awaited: most return nothing, and an await of nothing
  // still costs a turn of the microtask queue on every order change.
  for (const hook of hooks) {
    const pending = hook(uow, before, after);
    if (pending) await pending;
  }
}
