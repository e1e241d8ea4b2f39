/**
 * The API families Kassa serves. Each is a function that adds its routes to the app; adding a
 * family is one line here.
 */
import type { App } from '../app.js';
import type { AppDeps } from '../deps.js';
import { sandboxRoutes } from './sandbox.js';
import { notificationsV2Routes } from './notifications-v2.js';
import { paymentRequestJourneyRoutes } from './payment-request-journey.js';
import { paymentRequestsV2Routes } from './payment-requests-v2.js';

export type RouteFamily = (app: App, deps: AppDeps) => void | Promise<void>;

export const routeFamilies: RouteFamily[] = [sandboxRoutes];
routeFamilies.push(paymentRequestsV2Routes, paymentRequestJourneyRoutes, notificationsV2Routes);
