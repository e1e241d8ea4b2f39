/**
 * Every aggregate's transition table, in one list: the docs generator renders each as a Mermaid
 * diagram, and the machine tests generate one test per transition from it.
 */
import { authorizationMachine } from './authorization/authorization-machine.js';
import { customerTokenMachine } from './customer-token/customer-token-machine.js';
import type { Machine } from './machine.js';
import { orderMachine } from './order/order-machine.js';
import { sessionMachine } from './session/session-machine.js';
import { paymentRequestMachine } from './payment-request/payment-request-machine.js';
import { merchantOrderMachine } from './merchant-order/merchant-order-machine.js';
import { settlementMachine } from './settlement/settlement.js';

export const machines: readonly Machine<string, string>[] = [
  sessionMachine,
  authorizationMachine,
  orderMachine,
  customerTokenMachine,
  paymentRequestMachine,
  merchantOrderMachine,
  settlementMachine,
];
