/**
 * Hooks on every Order Management order change, called in the unit of work that writes the change
 * (Order Management awaits `afterOrderChanged` where it applies a decision), so whatever a hook
 * writes commits with the change. Provider-side features that follow the order without belonging
 * to Order Management — capture settlement and disputes (src/app/settlement), the v2 payment
 * transaction webhooks (src/app/payment-requests/payment-transaction.ts) — register here, so Order
 * Management knows nothing of them. A hook may be async (publishing a webhook reads the account's
 * subscriptions); hooks run one after the other, in registration order. A hook that reads an
 * aggregate can name it as a prefetch: the order change then reads it together with the order
 * (`prefetchForOrderChange`), one round trip on PostgreSQL instead of two.
 */
import type { OrderState } from '../../domain/order/order-state.js';
import type { UnitOfWork } from '../unit-of-work.js';

export type OrderChangedHook = (uow: UnitOfWork, before: OrderState | undefined, after: OrderState) => void | Promise<void>;

const hooks: OrderChangedHook[] = [];
const prefetches: ((uow: UnitOfWork) => void)[] = [];

export function onOrderChanged(hook: OrderChangedHook, options: { prefetch?: (uow: UnitOfWork) => void } = {}): void {
  if (hooks.includes(hook)) return;
  hooks.push(hook);
  if (options.prefetch) prefetches.push(options.prefetch);
}

/** Starts the reads the hooks may make; called in the same turn as the order's own read. */
export function prefetchForOrderChange(uow: UnitOfWork): void {
  for (const prefetch of prefetches) prefetch(uow);
}

export async function afterOrderChanged(uow: UnitOfWork, before: OrderState | undefined, after: OrderState): Promise<void> {
  // Only a hook that returned a promise is awaited: most return nothing, and an await of nothing
  // still costs a turn of the microtask queue on every order change.
  for (const hook of hooks) {
    const pending = hook(uow, before, after);
    if (pending) await pending;
  }
}
