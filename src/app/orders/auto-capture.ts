/**
 * `auto_capture: true` (Payments v1 create-order, customer-token orders): capture the whole order
 * amount, with its order lines, in the same unit of work that placed the order. Call it right
 * after `placeOrder(uow, …)`:
 *
 *     const order = placeOrder(uow, input);
 *     const final = body.auto_capture ? await autoCapture(uow, order) : order;
 *
 * An order under pending fraud review cannot be captured yet: it is marked, and the capture happens
 * when the review accepts it (order-timers.ts); a rejected review cancels it instead.
 * Payments v1 reaches it through the order-placed hook registered at the bottom of this file.
 */
import { orThrow } from '../../domain/errors.js';
import { decideCapture } from '../../domain/order/decide-capture.js';
import { cloneOrder, decided } from '../../domain/order/order-decision.js';
import type { OrderState } from '../../domain/order/order-state.js';
import { ids } from '../ids.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { onOrderPlaced } from '../payments/order-hooks.js';
import { applyOrderDecision } from './manage-order.js';

export async function autoCapture(uow: UnitOfWork, order: OrderState): Promise<OrderState> {
  if (order.remaining_authorized_amount === 0) return order;
  if (order.fraud_status === 'PENDING') {
    const next = cloneOrder(order);
    next.internal.autoCapture = true;
    return applyOrderDecision(uow, order, decided(next, [{ type: 'order.auto-capture-deferred', data: { reason: 'fraud review pending' } }]));
  }
  const decision = orThrow(
    decideCapture(
      order,
      { captured_amount: order.remaining_authorized_amount, order_lines: order.order_lines },
      { captureId: ids.capture(uow.ctx.random), klarnaReference: ids.klarnaReference(uow.ctx.random) },
      { now: uow.now },
    ),
  );
  const next = cloneOrder(decision.order);
  next.internal.autoCapture = undefined;
  return applyOrderDecision(uow, order, { ...decision, order: next, events: [...decision.events, { type: 'order.auto-captured', data: {} }] });
}

// Registered once per process, when this module is first loaded (timers/handlers.ts imports it).
onOrderPlaced(async (uow, order, options) => {
  if (options.autoCapture) await autoCapture(uow, order);
});
