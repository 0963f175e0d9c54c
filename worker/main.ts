// The worker process: `npm start` spawns it with the endpoints in the environment (see
// embedded/index.ts `endpointsEnv`); in production run it directly, as many as needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { MongoClient } from 'mongodb';
import { fileSendJournal } from '../activities/index.ts';
import { createClients } from '../cli/clients.ts';
import { composeWorker } from '../cli/compose.ts';
import { loadConfig } from '../cli/config.ts';
import type { Config } from '../cli/config.ts';
import type { Endpoints } from '../embedded/index.ts';
import { exitWithParent } from '../embedded/parent.ts';
import { ensureIndexes } from '../store/db.ts';
import { ensureRunIndexes } from '../store/runs.ts';

const log = (line: string) => console.log(`waymark worker: ${line}`);

/** The endpoints from the configuration; the worker never starts services of its own. */
function endpointsOf(config: Config): Endpoints {
  const { temporal, mongo, smtp, twilio, sms } = config;
  const missing = [
    temporal.address ? null : 'TEMPORAL_ADDRESS',
    mongo.url ? null : 'MONGODB_URL',
    smtp.url ? null : 'SMTP_URL',
    twilio.accountSid ? null : 'TWILIO_ACCOUNT_SID (with TWILIO_AUTH_TOKEN and TWILIO_FROM)',
    sms.provider !== 'aliyun' || sms.aliyun.accessKeyId ? null : 'ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET (SMS_PROVIDER=aliyun)',
  ].filter((name): name is string => name !== null);
  if (missing.length > 0 || !temporal.address || !mongo.url || !smtp.url || !twilio.accountSid || !twilio.authToken || !twilio.from) {
    throw new Error(`set ${missing.join(', ')} (npm start sets them for the embedded services)`);
  }
  return {
    temporal: { address: temporal.address, namespace: temporal.namespace, embedded: false },
    mongo: { url: mongo.url, embedded: false },
    smtp: { url: smtp.url, embedded: false },
    twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, from: twilio.from, ...(twilio.baseUrl ? { baseUrl: twilio.baseUrl } : {}), embedded: false },
    ...(sms.provider === 'aliyun' && sms.aliyun.accessKeyId && sms.aliyun.accessKeySecret
      ? { aliyun: { accessKeyId: sms.aliyun.accessKeyId, accessKeySecret: sms.aliyun.accessKeySecret, ...(sms.aliyun.endpoint ? { endpoint: sms.aliyun.endpoint } : {}), embedded: false } }
      : {}),
  };
}

/**
 * FerretDB on SQLite serialises writes: a hundred concurrent connections queue up until SQLite
 * gives up (SQLITE_BUSY after 10 s). Against FerretDB, a URL without `maxPoolSize` gets 8.
 */
async function poolFor(url: string): Promise<string> {
  if (/[?&]maxPoolSize=/i.test(url)) return url;
  const probe = await MongoClient.connect(url, { serverSelectionTimeoutMS: 10_000 });
  try {
    const info = await probe.db('admin').command({ buildInfo: 1 });
    return 'ferretdbVersion' in info ? `${url}${url.includes('?') ? '&' : '?'}maxPoolSize=8` : url;
  } finally {
    await probe.close();
  }
}

/** LOG_LEVEL for Temporal's own logger in this process (the workflow bundler, worker state changes). */
const temporalLevels: Record<Config['logLevel'], LogLevel | null> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: null,
};

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const level = temporalLevels[config.logLevel];
  Runtime.install({ logger: level ? new DefaultLogger(level) : new DefaultLogger('ERROR', () => undefined) });
  const configured = endpointsOf(config);
  const endpoints = { ...configured, mongo: { ...configured.mongo, url: await poolFor(configured.mongo.url) } };
  const clients = await createClients(config, endpoints);
  const { db } = clients;
  await ensureIndexes(db);
  await ensureRunIndexes(db);
  // Launches get a small pool of their own (see ActivityDeps.launchDb); so do the starter's re-entry checks.
  const launchClient = await MongoClient.connect(configured.mongo.url, { maxPoolSize: 2, serverSelectionTimeoutMS: 10_000 });
  const launchDb = launchClient.db(db.databaseName);
  const journal = fileSendJournal(join(config.dataDir, 'send-journal.jsonl'));
  const bundlePath = process.env['WAYMARK_WORKFLOW_BUNDLE'];
  const bundle = bundlePath ? { code: readFileSync(bundlePath, 'utf8') } : undefined;
  const { worker, close } = await composeWorker(config, clients, endpoints, bundle, { journal, launchDb });
  // Temporal's runtime shuts the worker down on SIGINT/SIGTERM; run() resolves once drained.
  log(`polling task queue ${config.temporal.taskQueue} on ${endpoints.temporal.address} (pid ${process.pid})`);
  try {
    exitWithParent(() => worker.shutdown());
    await worker.run();
  } finally {
    await close();
    await launchClient.close().catch(() => undefined);
    await clients.close();
    log('stopped');
  }
}

main().catch((error: unknown) => {
  console.error(`waymark worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
