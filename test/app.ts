import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Db } from 'mongodb';
import { inject } from 'vitest';
import { buildHttpApp } from '../cli/api.ts';
import { createClients } from '../cli/clients.ts';
import { composeWorker } from '../cli/compose.ts';
import { loadConfig } from '../cli/config.ts';
import { ensureEditorBuilt } from '../cli/editor-build.ts';
import { createHealthCheck } from '../cli/health.ts';
import { seedOnFirstStart } from '../cli/seed.ts';
import type { Endpoints } from '../embedded/index.ts';
import { freePort } from '../embedded/process.ts';

/** The endpoints of this test run's real services (test/globalSetup.ts). */
export function testEndpoints(): Endpoints {
  const services = inject('services');
  return {
    temporal: { address: services.temporalAddress, namespace: 'default', embedded: true },
    mongo: { url: services.mongoUrl, embedded: true },
    smtp: { url: `smtp://${services.smtp.host}:${services.smtp.port}`, inboxUrl: services.smtp.apiUrl, embedded: true },
    twilio: { accountSid: services.sms.accountSid, authToken: services.sms.authToken, from: '+15005550006', baseUrl: services.sms.baseUrl, embedded: true },
  };
}

/**
 * The whole app as `npm start` composes it — the API serving the built editor, a worker, the
 * demo seed and the built-in journeys — on this test run's FerretDB, Temporal dev server, SMTP
 * inbox and SMS sandbox, with its own database and task queue so test files stay apart.
 *
 * @example
 *   const app = await startTestApp();
 *   await page.goto(app.url);
 *   afterAll(app.stop);
 */
export async function startTestApp(): Promise<{
  url: string;
  adminApiKey: string;
  inboxApiUrl: string;
  smsApiUrl: string;
  db: Db;
  stop(): Promise<void>;
}> {
  const services = inject('services');
  const suffix = randomBytes(4).toString('hex');
  const port = await freePort();
  const config = loadConfig({
    WAYMARK_DATA_DIR: join(services.dataDir, `app-${suffix}`),
    WAYMARK_PORT: String(port),
    MONGODB_DB: `waymark_app_${suffix}`,
    TEMPORAL_TASK_QUEUE: `app-${suffix}`,
    LOG_LEVEL: 'warn',
  });
  const endpoints = testEndpoints();
  ensureEditorBuilt();
  const clients = await createClients(config, endpoints);
  const app = await buildHttpApp({ config, clients, health: createHealthCheck(clients, endpoints.twilio.accountSid) });
  await seedOnFirstStart(clients.db, () => undefined);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const { worker, close } = await composeWorker(config, clients, endpoints);
  const running = worker.run();
  return {
    url: `http://127.0.0.1:${port}`,
    adminApiKey: config.adminApiKey,
    inboxApiUrl: services.smtp.apiUrl,
    smsApiUrl: services.sms.baseUrl,
    db: clients.db,
    stop: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      worker.shutdown();
      await running.catch(() => undefined);
      await close();
      await clients.db.dropDatabase().catch(() => undefined);
      await clients.close();
    },
  };
}
