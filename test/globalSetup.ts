import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureEditorBuilt } from '../cli/editor-build.ts';
import { startFerretDb } from '../embedded/ferretdb.ts';
import { startInbox } from '../embedded/inbox.ts';
import { freePort } from '../embedded/process.ts';
import { startRobotSandbox } from '../embedded/robot-sandbox.ts';
import { startSmsSandbox } from '../embedded/sms-sandbox.ts';
import { startTemporalDevServer } from '../embedded/temporal.ts';
import { tools } from '../embedded/tools.ts';
import { waitForTemporal } from '../embedded/wait.ts';
import type { TestServices } from './services.ts';

/**
 * Starts the real services once per `vitest run`: FerretDB, the Temporal dev server, the SMTP
 * inbox and the SMS sandbox, on free loopback ports with a throwaway data directory, so tests
 * run beside a running `npm start`. Test files read them with `inject('services')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Built once, before any test file starts the app (which calls it too): two Vite builds
  // writing editor/dist at the same time would serve each other half-written files.
  ensureEditorBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'waymark-test-'));
  const [mongoPort, smtpPort, inboxPort, smsPort, robotPort, temporalPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const accountSid = `AC${'0'.repeat(32)}`;
  const authToken = 'test-auth-token';
  const [mongo, temporal, inbox, sms, robots] = await Promise.all([
    startFerretDb({ port: mongoPort, dataDir: join(dataDir, 'ferretdb'), logFile: join(dataDir, 'ferretdb.log') }),
    // At everyone's priority: the suite's own processes keep both cores busy, and the tests'
    // waits were sized for a server that gets its share (`npm start`'s yields, `temporalNice`).
    startTemporalDevServer({ port: temporalPort, nice: 0, logFile: join(dataDir, 'temporal.log') }),
    startInbox({ smtpPort, httpPort: inboxPort }),
    startSmsSandbox({ port: smsPort, accountSid, authToken }),
    startRobotSandbox({ port: robotPort }),
  ]);
  await waitForTemporal(temporal.address);
  const services: TestServices = {
    mongoUrl: mongo.url,
    temporalAddress: temporal.address,
    smtp: { host: '127.0.0.1', port: smtpPort, apiUrl: inbox.apiUrl },
    sms: { baseUrl: sms.baseUrl, accountSid, authToken },
    robots: { baseUrl: robots.baseUrl },
    testServerPath: tools.testServer,
    dataDir,
  };
  project.provide('services', services);
  return async () => {
    await Promise.allSettled([mongo.stop(), temporal.stop(), inbox.stop(), sms.stop(), robots.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
