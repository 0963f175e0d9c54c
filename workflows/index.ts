// Every workflow the worker registers (its `workflowsPath`). Explicit exports only.
export { journeyWorkflow } from './journey.ts';
export { campaignLaunchWorkflow } from './campaign.ts';
export { dateSweepWorkflow } from './date-sweep.ts';
export { lifecycleDailyWorkflow } from './lifecycle.ts';
export { journeyMigrationWorkflow } from './migration.ts';
export { journeyRunGoneWorkflow } from './run-gone.ts';
