import type { Route } from '../route.ts';
import { apiKeyRoutes } from './apiKeys.ts';
import { approvalRoutes } from './approvals.ts';
import { campaignRoutes } from './campaigns.ts';
import { consentRoutes } from './consent.ts';
import { couponRoutes } from './coupons.ts';
import { customerRoutes } from './customers.ts';
import { eventRoutes } from './events.ts';
import { forecastRoutes } from './forecast.ts';
import { healthRoutes } from './health.ts';
import { holidayRoutes } from './holidays.ts';
import { journeyRoutes } from './journeys.ts';
import { journeyRunRoutes } from './journeyRuns.ts';
import { lifecycleRoutes } from './lifecycle.ts';
import { outcomeRoutes } from './outcomes.ts';
import { segmentRoutes } from './segments.ts';
import { ledgerRoutes } from './ledger.ts';
import { taskRoutes } from './tasks.ts';
import { templateRoutes } from './templates.ts';
import { timelineRoutes } from './timeline.ts';
import { twilioRoutes } from './twilio.ts';
import { aliyunRoutes } from './aliyun.ts';

/**
 * Every route of the API. `createApp` mounts these and nothing else (besides the OpenAPI
 * document and its reference page), so the role-matrix test over this table covers every
 * route a caller can reach.
 */
export const routeTable: readonly Route[] = [
  ...healthRoutes,
  ...customerRoutes,
  ...eventRoutes,
  ...journeyRoutes,
  ...journeyRunRoutes,
  ...forecastRoutes,
  ...templateRoutes,
  ...taskRoutes,
  ...timelineRoutes,
  ...couponRoutes,
  ...campaignRoutes,
  ...approvalRoutes,
  ...ledgerRoutes,
  ...consentRoutes,
  ...twilioRoutes,
  ...aliyunRoutes,
  ...apiKeyRoutes,
  ...lifecycleRoutes,
  ...segmentRoutes,
  ...outcomeRoutes,
  ...holidayRoutes,
];
