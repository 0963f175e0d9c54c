import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { multistream, pino } from 'pino';
import { createApp } from '../api/app.ts';
import { securityHeaders } from '../api/securityHeaders.ts';
import type { Mailer, SmsSender } from '../api/deps.ts';
import { serviceLog } from '../embedded/logs.ts';
import { createEventPipeline } from '../runtime/pipeline.ts';
import { createTemporalRuntime } from '../runtime/temporal.ts';
import { registerApiKey } from '../store/apiKeys.ts';
import { ensureIndexes } from '../store/db.ts';
import { ensureRunIndexes } from '../store/runs.ts';
import type { Clients } from './clients.ts';
import type { Config } from './config.ts';
import type { Health } from './health.ts';
import { activityRenderer } from './renderer.ts';
import { lunarToSolar } from '../activities/lunar.ts';

/** Where Vite writes the built editor; the API serves it at `/`. */
export const editorDist = fileURLToPath(new URL('../editor/dist', import.meta.url));

/** The API's mailer on the pooled nodemailer transport. */
export function smtpMailer(clients: Clients, from: string): Mailer {
  return {
    send: async (message) => {
      const info = await clients.mailer.sendMail({ from, ...message });
      return { messageId: String(info.messageId) };
    },
  };
}

/** The API's SMS sender on the twilio client (Twilio or the sandbox). */
export function twilioSender(clients: Clients): SmsSender {
  return {
    send: async ({ to, body }) => {
      const sent = await clients.twilio.messages.create({ to, from: clients.twilioFrom, body });
      return { sid: sent.sid };
    },
  };
}

export interface HttpOptions {
  config: Config;
  clients: Clients;
  health: () => Promise<Health>;
  /** The API's log file (rotated by size); without it, the log goes to stdout. */
  logFile?: string;
}

/**
 * Builds the HTTP app: the REST API under `/v1` and the built editor at `/` (any other path
 * outside `/v1` serves the editor's index so client-side routes survive a reload).
 */
export async function buildHttpApp(options: HttpOptions): Promise<express.Express> {
  const { config, clients, health } = options;
  const { db } = clients;
  await ensureIndexes(db);
  await ensureRunIndexes(db);
  await registerApiKey(db, config.adminApiKey, { name: 'admin (from WAYMARK_ADMIN_API_KEY)', role: 'admin' }, new Date());
  const runtime = createTemporalRuntime({ client: clients.temporal, db, taskQueue: config.temporal.taskQueue });
  const logger = options.logFile
    ? // Request lines to the API's log file; warnings and errors to the console too.
      pino({ level: config.logLevel }, multistream([
        { level: config.logLevel === 'silent' ? 'fatal' : config.logLevel, stream: serviceLog(options.logFile) },
        { level: 'warn', stream: process.stdout },
      ]))
    : pino({ level: config.logLevel });
  // Every API process finishes events that a crash or an outage left half-way (idempotent when several do).
  const pipeline = createEventPipeline({ db, runtime, logger });
  pipeline.startSweeper();
  const api = createApp({
    db,
    runtime,
    pipeline,
    mailer: smtpMailer(clients, config.smtp.from),
    sms: twilioSender(clients),
    renderer: activityRenderer(process.env['WAYMARK_SHOP_URL'] ?? config.publicUrl),
    lunarCalendar: lunarToSolar,
    config: { publicUrl: config.publicUrl, secret: config.secret, twilioAuthToken: clients.twilioAuthToken },
    health,
    logger,
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  if (existsSync(editorDist)) {
    app.use(express.static(editorDist, { index: 'index.html', maxAge: '1h' }));
    app.get(/^\/(?!v1(\/|$)).*/, (_req, res) => res.sendFile('index.html', { root: editorDist }));
  }
  app.use(api);
  return app;
}

/**
 * Builds the app (indexes, the admin key), runs `beforeListen` (e.g. the first-start seed, which
 * needs the indexes) and listens on the configured host and port.
 */
export async function listen(
  options: HttpOptions,
  beforeListen: () => Promise<void> = async () => undefined,
): Promise<Server> {
  const app = await buildHttpApp(options);
  await beforeListen();
  return new Promise((resolve, reject) => {
    const server = app.listen(options.config.port, options.config.host, () => resolve(server));
    // Streamed customer imports can take minutes: no whole-request timeout (Node's default is 5).
    server.requestTimeout = 0;
    server.once('error', reject);
  });
}
