/**
 * What happens right after an order is placed, whatever created it (Payments v1, customer token,
 * v2 transaction). `auto_capture: true` captures the full amount at creation (Order Management).
 */
import type { OrderState } from '../../domain/order/order-state.js';
import type { UnitOfWork } from '../unit-of-work.js';

export interface AfterOrderOptions {
  autoCapture: boolean;
}

export type OrderPlacedHook = (uow: UnitOfWork, order: OrderState, options: AfterOrderOptions) => Promise<void>;

const hooks: OrderPlacedHook[] = [];

/** Registers a hook (Order Management registers auto-capture). */
export function onOrderPlaced(hook: OrderPlacedHook): void {
  hooks.push(hook);
}

export async function afterOrderPlaced(uow: UnitOfWork, order: OrderState, options: AfterOrderOptions): Promise<void> {
  for (const hook of hooks) await hook(uow, order, options);
}
