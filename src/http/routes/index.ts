/**
 * The API families Kassa serves. Each is a function that adds its routes to the app; adding a
 * family is one line here.
 */
import type { App } from '../app.js';
import type { AppDeps } from '../deps.js';
import { customerTokenRoutes } from './customer-token.js';
import { orderManagementRoutes } from './order-management.js';
import { notificationsV2Routes } from './notifications-v2.js';
import { paymentRequestJourneyRoutes } from './payment-request-journey.js';
import { paymentRequestsV2Routes } from './payment-requests-v2.js';
import { paymentsV1Routes } from './payments-v1.js';
import { sandboxAuthorizeRoute, sandboxRoutes } from './sandbox.js';
import { demoRoutes } from '../../web/demo/demo-routes.js';
import { journeyRoutes } from '../../web/journey/journey-routes.js';
import { webRoutes } from '../../web/web-routes.js';
import { merchantRoutes } from './merchant.js';
import { settlementSandboxRoutes } from './settlement-sandbox.js';
import { dashboardRoutes } from '../../dashboard/routes.js';
import { fraudReviewSandboxRoutes } from './fraud-review-sandbox.js';
import { metricsRoutes } from './metrics.js';

export type RouteFamily = (app: App, deps: AppDeps) => void | Promise<void>;

export const routeFamilies: RouteFamily[] = [
  sandboxRoutes,
  sandboxAuthorizeRoute,
  paymentsV1Routes,
  orderManagementRoutes,
  customerTokenRoutes,
  webRoutes,
  journeyRoutes,
  demoRoutes,
  paymentRequestsV2Routes,
  paymentRequestJourneyRoutes,
  notificationsV2Routes,
  merchantRoutes,
  settlementSandboxRoutes,
  fraudReviewSandboxRoutes,
  dashboardRoutes,
  metricsRoutes,
];
