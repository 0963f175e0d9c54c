// `npm start`: Waymark on the embedded default. Starts what is not configured (Temporal dev
// server, FerretDB, SMTP inbox, SMS sandbox, the Aliyun SMS sandbox with SMS_PROVIDER=aliyun), then the worker (a child process) and the API
// serving the editor; every child is supervised (restarted when it exits); prints every URL;
// Ctrl-C stops everything. Data stays in WAYMARK_DATA_DIR.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataLayout, endpointsEnv, startEmbedded, type Endpoints, type Log } from '../embedded/index.ts';
import { startProcess } from '../embedded/process.ts';
import { takeOverRunDir } from '../embedded/run-dir.ts';
import { supervise, type Supervised } from '../embedded/supervise.ts';
import { aliyunReportPath, aliyunUplinkPath, aliyunWebhookUrl } from '../api/routes/aliyun.ts';
import { createClients } from './clients.ts';
import { loadConfig, type Config } from './config.ts';
import { createHealthCheck } from './health.ts';
import { listen } from './api.ts';
import { ensureEditorBuilt } from './editor-build.ts';
import { seedOnFirstStart } from './seed.ts';

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Console lines of `npm start` itself, filtered by LOG_LEVEL like every other Waymark log. */
function consoleLog(level: Config['logLevel']): Log {
  const shown = (at: (typeof levels)[number]) => levels.indexOf(at) >= levels.indexOf(level);
  return {
    info: (line) => shown('info') && console.log(`waymark: ${line}`),
    warn: (line) => shown('warn') && console.log(`waymark: ${line}`),
    error: (line) => shown('error') && console.error(`waymark: ${line}`),
  };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = consoleLog(config.logLevel);
  const started = Date.now();
  await takeOverRunDir(config.dataDir, log);
  mkdirSync(dataLayout(config.dataDir).run, { recursive: true });
  writeFileSync(dataLayout(config.dataDir).pid, String(process.pid));
  log.info(`data directory ${config.dataDir}`);
  log.info(`editor: ${ensureEditorBuilt()}`);
  const embedded = await startEmbedded(config, log, { aliyunReportUrl: aliyunWebhookUrl(config.publicUrl, config.secret, aliyunReportPath) });
  const { endpoints } = embedded;
  const clients = await createClients(config, endpoints);
  const worker = await superviseWorker(config, endpoints, log);
  const services = [...embedded.services, worker];
  const http: { server?: Server } = {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping …`);
    // Every part is stopped even when one fails; a failure is named and makes the exit code 1.
    let failed = false;
    const step = async (what: string, work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        failed = true;
        log.error(`stopping ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    await step('the API', () => new Promise<void>((r) => (http.server ? http.server.close(() => r()) : r())));
    await step('the worker', () => worker.stop());
    await step('the clients', () => clients.close());
    await step('the embedded services', () => embedded.stop());
    rmSync(dataLayout(config.dataDir).pid, { force: true });
    log.info(failed ? 'stopped, with the failures above' : 'stopped');
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const health = createHealthCheck(clients, endpoints.twilio.accountSid, 3_000, () => supervisedStates(services));
  const logFile = join(dataLayout(config.dataDir).logs, 'api.log');
  http.server = await listen({ config, clients, health, logFile }, async () => {
    if (config.seed === 'auto') await seedOnFirstStart(clients.db, log.info, new Date(), config.language);
  });
  printUrls(config, endpoints, ((Date.now() - started) / 1000).toFixed(1));
}

const supervisedStates = (services: Supervised[]) => Object.fromEntries(services.map((s) => [s.name, s.state()]));

/**
 * The worker as its own supervised process (`node` with tsx's loader, one process: a kill
 * reaches the worker itself); its output (the workflow bundle listing, Temporal's own lines)
 * goes to `logs/worker.log`.
 */
function superviseWorker(config: Config, endpoints: Endpoints, log: Log): Promise<Supervised> {
  const entry = fileURLToPath(new URL('../worker/main.ts', import.meta.url));
  const logFile = join(dataLayout(config.dataDir).logs, 'worker.log');
  return supervise({
    name: 'worker',
    key: 'worker',
    logFile,
    dataDir: config.dataDir,
    log,
    start: () =>
      startProcess({
        name: 'worker',
        cmd: process.execPath,
        args: ['--import', import.meta.resolve('tsx'), entry],
        logFile,
        env: { ...endpointsEnv(endpoints), WAYMARK_DATA_DIR: config.dataDir, LOG_LEVEL: config.logLevel },
        stopGraceMs: 10_000,
        supervised: true,
      }),
  });
}

function printUrls(config: Config, endpoints: Endpoints, seconds: string): void {
  const rows: Array<[string, string]> = [
    ['Editor and console', `${config.publicUrl}/`],
    ['API', `${config.publicUrl}/v1 (reference: ${config.publicUrl}/v1/docs)`],
    ['Health', `${config.publicUrl}/v1/health`],
    ['Admin API key', `${config.adminApiKey} (kept in ${config.dataDir}/admin-api-key)`],
    ['Temporal', `${endpoints.temporal.address}${endpoints.temporal.embedded ? ' (embedded dev server)' : ''}`],
    ...(endpoints.temporal.uiUrl ? [['Temporal Web UI', endpoints.temporal.uiUrl] as [string, string]] : []),
    ['MongoDB protocol', `${endpoints.mongo.url.replace(/\/\/[^@]*@/, '//***@')}${endpoints.mongo.embedded ? ' (embedded FerretDB)' : ''}`],
    ['SMTP', `${endpoints.smtp.url.replace(/\/\/[^@]*@/, '//***@')}${endpoints.smtp.embedded ? ' (embedded inbox)' : ''}`],
    ...(endpoints.smtp.inboxUrl ? [['Inbox (received mail)', `${endpoints.smtp.inboxUrl}/`] as [string, string]] : []),
    ['SMS', endpoints.twilio.embedded ? `${endpoints.twilio.baseUrl}/sandbox/messages (embedded Twilio sandbox)` : `Twilio (${endpoints.twilio.from})`],
    ...(endpoints.aliyun
      ? ([
          ['Journey SMS', endpoints.aliyun.embedded ? `Aliyun SMS: ${endpoints.aliyun.baseUrl}/sandbox/messages (embedded Aliyun sandbox)` : `Aliyun SMS (${endpoints.aliyun.endpoint ?? 'dysmsapi.aliyuncs.com'})`],
          ['Aliyun replies URL', `${aliyunWebhookUrl(config.publicUrl, config.secret, aliyunUplinkPath)} (SmsUp HTTP push)`],
          ['Aliyun reports URL', `${aliyunWebhookUrl(config.publicUrl, config.secret, aliyunReportPath)} (SmsReport HTTP push)`],
        ] as Array<[string, string]>)
      : []),
    ['Group robots', endpoints.robots?.sandboxUrl ? `${endpoints.robots.sandboxUrl}/sandbox/robot-messages (embedded robot sandbox)` : 'WeCom, DingTalk and Feishu (configured)'],
    ['Logs', `${dataLayout(config.dataDir).logs}/ (one file per service, rotated at 10 MB)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`waymark: ready in ${seconds} s`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log('  Press Ctrl-C to stop.');
}

main().catch((error: unknown) => {
  console.error(`waymark: could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
