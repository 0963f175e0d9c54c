import type { Db } from 'mongodb';
import { journeyView } from '../journey/index.ts';
import type { ActionKind, HistoryEntry, JourneyCustomer, RunProgress } from '../journey/index.ts';
import { transitionCampaign } from '../store/campaigns.ts';
import { getCustomer } from '../store/customers.ts';
import type { AudienceFilter } from '../store/customers.ts';
import { endAbandonedMessages } from '../store/messages.ts';
import { actionActivities, actionHandlers } from './actions/index.ts';
import type { ActionHandler } from './actions/index.ts';
import type { ActionPerformer } from './campaign-prefix.ts';
import { countCampaignAudience, prefixCampaignPage, readCampaignPage, startCampaignBatch, startCampaignPage, versionCache } from './campaign.ts';
import type { CampaignBatchInput, CampaignBatchResult, CampaignPage, CampaignPageRequest, CampaignPrefixResult } from './campaign.ts';
import { activityNow } from './clock.ts';
import { recordRunProgress } from './progress.ts';
import { createMigrationActivities } from './migration.ts';
import { listDateJourneys, sweepDateJourneyPage } from './date-sweep.ts';
import { lunarAnniversaries } from './lunar.ts';
import { createLifecycleActivities } from './lifecycle.ts';
import type { LifecycleRunner } from './lifecycle.ts';
import type { DateSweepPageInput, DateSweepPageResult } from './date-sweep.ts';
import type { EmailDeps } from './email.ts';
import type { SmsDeps } from './sms.ts';
import type { TemplateSource } from './templates.ts';
import type { JourneyStarter } from './types.ts';
import type { RobotOptions } from './robots.ts';
import type { WebhookOptions } from './webhook.ts';
import type { WecomOptions } from './wecom.ts';

export type { ActionOutcome, ActionRequest, JourneyStarter, StartResult } from './types.ts';
export type { RunProgress } from '../journey/index.ts';
export type { CampaignBatchInput, CampaignBatchResult, CampaignPage, CampaignPageRequest, CampaignPrefixResult } from './campaign.ts';
export type { DateSweepPageInput, DateSweepPageResult } from './date-sweep.ts';
export type { DailyLifecycleResult } from './lifecycle.ts';
export type { TemplateSource } from './templates.ts';
export { cachedTemplates, staticTemplates } from './templates.ts';
export { fileSendJournal, noSendJournal } from './send-journal.ts';
export { inboxLookup } from './email.ts';
export type { SendJournal } from './send-journal.ts';

/** Everything with side effects the activities use, injected (tests pass real services or fakes). */
export interface ActivityDeps {
  db: Db;
  email: EmailDeps;
  sms: SmsDeps;
  templates: TemplateSource;
  webhooks: WebhookOptions;
  /** Group robots (WeCom, DingTalk, Feishu): configured base URLs and the per-robot rate (default: the public services, 20 a minute). */
  robots?: Omit<RobotOptions, 'shopUrl'>;
  /** WeCom customer contact (1:1 outreach steps): API base URL and the corp's id and customer-contact secret. */
  wecom?: Omit<WecomOptions, 'shopUrl'>;
  /** Starts journey runs (campaigns, date sweep); only the worker that runs those needs it. */
  starter?: JourneyStarter;
  /** The daily lifecycle run through the event pipeline; only the worker that runs it needs it. */
  lifecycle?: LifecycleRunner;
  /**
   * The database through a connection pool of its own for campaign launches and the date
   * sweep, so their few queries do not queue behind the sends of the runs they start
   * (defaults to `db`).
   */
  launchDb?: Db;
}

/**
 * The activities of all Waymark workflows, bound to their dependencies.
 *
 * @example
 *   const activities = createActivities({ db, email, sms, templates, webhooks: { allowPrivateNetworks: false } });
 *   await Worker.create({ connection, taskQueue, workflowsPath, activities });
 */
export function createActivities(deps: ActivityDeps) {
  const { db } = deps;
  const launchDb = deps.launchDb ?? db;
  const loadVersion = versionCache(launchDb);
  const starter = (): JourneyStarter => {
    if (deps.starter === undefined) throw new Error('this worker was created without a journey starter (campaigns, date sweep)');
    return deps.starter;
  };
  // What a campaign's batched first touch performs for a page of customers
  // (activities/campaign-prefix.ts): the same handler as the kind's activity, on the page's
  // batching database (store/batching.ts) when it passes one.
  const perform: ActionPerformer = (request, pageDb = db) => (actionHandlers[request.action.kind] as ActionHandler<ActionKind>)({ ...deps, db: pageDb }, request);
  return {
    /**
     * The profile as stored now, as a journey holds it (no address, number or name: the result
     * is recorded in the run's history), or null when the customer was erased. Lunar date
     * attributes come with their solar dates around now, so waits on them need no calendar.
     */
    loadCustomer: async (customerId: string): Promise<JourneyCustomer | null> => {
      const customer = await getCustomer(db, customerId);
      if (customer === null) return null;
      const lunar = lunarAnniversaries(customer, activityNow());
      return { ...journeyView(customer), ...(lunar === undefined ? {} : { lunarAnniversaries: lunar }) };
    },
    /** Upserts the run's progress document (a local activity at every change of step). */
    recordRunProgress: (progress: RunProgress): Promise<void> => recordRunProgress(db, progress),
    // Moving waiting runs to another version (workflows/migration.ts) and the runs' reports of it.
    ...createMigrationActivities(db),
    // One activity per action kind (activities/actions/), named by the kind's registry entry.
    ...actionActivities(deps),
    countCampaignAudience: (audience: AudienceFilter, asOf: number): Promise<number> => countCampaignAudience(launchDb, audience, asOf),
    readCampaignPage: (request: CampaignPageRequest): Promise<CampaignPage> => readCampaignPage(launchDb, request),
    startCampaignBatch: (input: CampaignBatchInput): Promise<CampaignBatchResult> => startCampaignBatch(launchDb, starter(), loadVersion, input, { perform, db }),
    /** A page's first pass: its customers' first steps, up to their first wait (the emails go out here). */
    prefixCampaignPage: (input: CampaignBatchInput): Promise<CampaignPrefixResult> => prefixCampaignPage(launchDb, starter(), loadVersion, input, { perform, db }),
    /** A page's second pass: starts the runs its first pass left waiting, at the state it kept. */
    startCampaignPage: (input: CampaignBatchInput): Promise<CampaignBatchResult> => startCampaignPage(launchDb, starter(), loadVersion, input, { perform, db }),
    /** A scheduled campaign's time came: scheduled → running; false when it was cancelled meanwhile. */
    beginScheduledCampaign: async (campaignId: string): Promise<boolean> =>
      (await transitionCampaign(db, campaignId, ['scheduled'], 'running', new Date(activityNow()))) !== null,
    /** Marks the stored campaign completed or cancelled once the launch ends. */
    finishCampaign: async (campaignId: string, status: 'completed' | 'cancelled'): Promise<void> => {
      await transitionCampaign(db, campaignId, ['running', 'paused'], status, new Date(activityNow()));
    },
    listDateJourneys: (): Promise<string[]> => listDateJourneys(launchDb),
    sweepDateJourneyPage: (input: DateSweepPageInput): Promise<DateSweepPageResult> => sweepDateJourneyPage(launchDb, starter(), input),
    /** Signals a migration to a page of runs (workflows/migration.ts); a run in its start delay is woken. */
    signalMigrationPage: async (input: { workflowIds: string[]; signal: Parameters<JourneyStarter['migrateRuns']>[1] }): Promise<{ signalled: number; ended: number; failed: number }> => {
      const results = await starter().migrateRuns(input.workflowIds, input.signal);
      return { signalled: results.filter((r) => r === 'signalled').length, ended: results.filter((r) => r === 'ended').length, failed: results.filter((r) => r === 'failed').length };
    },
    ...createLifecycleActivities(() => {
      if (deps.lifecycle === undefined) throw new Error('this worker was created without a lifecycle runner (the daily lifecycle run)');
      const runner = deps.lifecycle;
      // The daily run also ends the ledger rows no send attempt can come back for.
      return async (at) => {
        const result = await runner(at);
        await endAbandonedMessages(db, at);
        return result;
      };
    }),
  };
}

/** The activities as workflows see them (`proxyActivities<JourneyActivities>`). */
export type JourneyActivities = ReturnType<typeof createActivities>;

/** History entries the run recorded (re-exported for the workflow's progress reports). */
export type { HistoryEntry };
