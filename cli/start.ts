// `npm start`: Waymark on the embedded default. Starts what is not configured (Temporal dev
// server, FerretDB, SMTP inbox, SMS sandbox), then the worker (a child process) and the API
// serving the editor; prints every URL; Ctrl-C stops everything. Data stays in WAYMARK_DATA_DIR.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { endpointsEnv, startEmbedded, type Endpoints } from '../embedded/index.ts';
import { stopChild } from '../embedded/process.ts';
import { createClients } from './clients.ts';
import { loadConfig, type Config } from './config.ts';
import { createHealthCheck } from './health.ts';
import { listen } from './api.ts';
import { ensureEditorBuilt } from './editor-build.ts';
import { seedOnFirstStart } from './seed.ts';

const log = (line: string) => console.log(`waymark: ${line}`);

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const started = Date.now();
  log(`data directory ${config.dataDir}`);
  log(`editor: ${ensureEditorBuilt()}`);
  const embedded = await startEmbedded(config, log);
  const { endpoints } = embedded;
  const clients = await createClients(config, endpoints);
  const worker = superviseWorker(config, endpoints);
  const http: { server?: Server } = {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping …`);
    await new Promise<void>((r) => (http.server ? http.server.close(() => r()) : r()));
    await worker.stop();
    await clients.close();
    await embedded.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const health = createHealthCheck(clients, endpoints.twilio.accountSid);
  http.server = await listen({ config, clients, health }, async () => {
    if (config.seed === 'auto') await seedOnFirstStart(clients.db, log);
  });
  printUrls(config, endpoints, ((Date.now() - started) / 1000).toFixed(1));
}

/** Runs the worker as its own process (it can crash and be killed alone) and restarts it if it dies. */
function superviseWorker(config: Config, endpoints: Endpoints): { stop(): Promise<void> } {
  const entry = fileURLToPath(new URL('../worker/main.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  let child: ChildProcess | undefined;
  let stopped = false;
  let restarts = 0;
  const launch = () => {
    child = spawn(tsx, [entry], { stdio: 'inherit', env: { ...process.env, ...endpointsEnv(endpoints), WAYMARK_DATA_DIR: config.dataDir } });
    child.once('exit', (code, signal) => {
      if (stopped) return;
      restarts += 1;
      const delay = Math.min(30_000, 1_000 * 2 ** Math.min(restarts, 5));
      log(`worker exited (${signal ?? code}); restarting in ${delay / 1000} s`);
      setTimeout(launch, delay).unref();
    });
  };
  launch();
  return {
    stop: async () => {
      stopped = true;
      if (child) await stopChild(child, 10_000);
    },
  };
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
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  log(`ready in ${seconds} s`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log('  Press Ctrl-C to stop.');
}

main().catch((error: unknown) => {
  console.error(`waymark: could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
