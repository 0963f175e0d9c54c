// Composition shared by the worker process, `npm start` and the end-to-end test app: one place
// that turns configuration and clients into activities and a worker.
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { cachedTemplates, createActivities, inboxLookup, staticTemplates, type SendJournal, type TemplateSource } from '../activities/index.ts';
import { consentLinks } from '../api/consent.ts';
import { createEventPipeline } from '../runtime/pipeline.ts';
import { createTemporalRuntime } from '../runtime/temporal.ts';
import type { Endpoints } from '../embedded/index.ts';
import { loadBuiltinTemplates } from '../store/builtins.ts';
import { recountAllOutcomes } from '../store/outcomeRollup.ts';
import { recountAllSteps } from '../store/rollups.ts';
import { getTemplate } from '../store/templates.ts';
import { createWorker } from '../worker/index.ts';
import type { Clients } from './clients.ts';
import type { Config } from './config.ts';

/** What the worker process adds to the composition (tests and `npm start`'s in-process worker leave them out). */
export interface ComposeExtras {
  /** Sends the provider accepted, kept on local disk until the ledger has them. */
  journal?: SendJournal;
  /** A small pool of its own for campaign launches and the starter's re-entry checks. */
  launchDb?: Db;
}

/**
 * The activities of a Waymark worker on real providers. Templates edited in the console
 * (MongoDB) win over the built-in ones of `templates/`.
 */
export function composeActivities(config: Config, clients: Clients, extras: ComposeExtras = {}) {
  const { db } = clients;
  const { journal, launchDb } = extras;
  const runtime = createTemporalRuntime({ client: clients.temporal, db: launchDb ?? db, taskQueue: config.temporal.taskQueue });
  // The daily lifecycle run's changes take the event pipeline's route stage.
  const pipeline = createEventPipeline({ db, runtime });
  const builtins = staticTemplates(loadBuiltinTemplates());
  // Read again after 5 s: a campaign sends the same few templates thousands of times.
  const templates: TemplateSource = cachedTemplates({ get: async (id) => (await getTemplate(db, id)) ?? builtins.get(id) }, 5_000);
  const publicUrl = config.publicUrl.replace(/\/$/, '');
  const shopUrl = process.env['WAYMARK_SHOP_URL'] ?? publicUrl;
  const activities = createActivities({
    db,
    email: {
      transport: clients.mailer,
      from: config.smtp.from,
      unsubscribeUrl: consentLinks(config).unsubscribeUrl,
      shopUrl,
      ...(journal ? { journal } : {}),
      ...(config.smtp.lookupUrl ? { lookup: inboxLookup(config.smtp.lookupUrl) } : {}),
    },
    sms: {
      client: clients.twilio,
      from: clients.twilioFrom,
      statusCallbackUrl: `${publicUrl}/v1/webhooks/twilio/status`,
      shopUrl,
      ...(journal ? { journal } : {}),
      ...(clients.aliyunSms ? { aliyun: clients.aliyunSms } : {}),
    },
    templates,
    webhooks: { allowPrivateNetworks: process.env['WAYMARK_WEBHOOK_ALLOW_PRIVATE'] === 'true', shopUrl },
    robots: { baseUrls: config.robots.baseUrls },
    wecom: config.wecom,
    starter: runtime.starter,
    // The daily run: scores from the profiles (no event reading), then the report counters
    // recounted from the runs (repairing any a crash left one off).
    lifecycle: async (at) => {
      const report = await pipeline.runLifecycle(at, 'daily');
      await recountAllSteps(db, at);
      await recountAllOutcomes(db, at);
      return report;
    },
    ...(launchDb ? { launchDb } : {}),
  });
  return { activities, runtime };
}

/**
 * Connects a worker for every Waymark workflow to Temporal. `run()` it; it stops on SIGINT/SIGTERM
 * (or `shutdown()`), and `close()` then releases its connection.
 */
export async function composeWorker(
  config: Config,
  clients: Clients,
  endpoints: Endpoints,
  workflowBundle?: { code: string },
  extras: ComposeExtras = {},
): Promise<{ worker: Worker; close(): Promise<void> }> {
  const { activities, runtime } = composeActivities(config, clients, extras);
  await runtime.ensureDateSweepSchedule();
  await runtime.ensureLifecycleSchedule();
  const connection = await NativeConnection.connect({
    address: endpoints.temporal.address,
    ...(config.temporal.tls ? { tls: true } : {}),
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
  });
  const worker = await createWorker({
    connection,
    namespace: endpoints.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    ...(workflowBundle ? { workflowBundle } : {}),
  });
  return { worker, close: () => connection.close().catch(() => undefined) };
}
