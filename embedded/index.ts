import { join } from 'node:path';
import type { Config } from '../cli/config.ts';
import { startFerretDb } from './ferretdb.ts';
import { startInbox } from './inbox.ts';
import { startSmsSandbox } from './sms-sandbox.ts';
import { startTemporalDevServer } from './temporal.ts';
import { waitForTemporal } from './wait.ts';

/** Where each dependency is, whether Waymark started it or it was configured. */
export interface Endpoints {
  temporal: { address: string; namespace: string; uiUrl?: string; embedded: boolean };
  mongo: { url: string; embedded: boolean };
  smtp: { url: string; inboxUrl?: string; embedded: boolean };
  twilio: { accountSid: string; authToken: string; from: string; baseUrl?: string; embedded: boolean };
}

/** The sandbox's fixed credentials: not secrets, nothing leaves the machine. */
export const sandboxTwilio = { accountSid: `AC${'5a'.repeat(16)}`, authToken: 'waymark-sandbox-token', from: '+15005550006' };

/**
 * Starts every dependency that is not configured (the embedded default) and returns where
 * each one is. `stop()` stops what was started, children first.
 */
export async function startEmbedded(
  config: Config,
  log: (line: string) => void,
): Promise<{ endpoints: Endpoints; stop(): Promise<void> }> {
  const stops: Array<() => Promise<void>> = [];
  const logs = join(config.dataDir, 'logs');
  try {
    const temporal = config.temporal.address
      ? { address: config.temporal.address, namespace: config.temporal.namespace, embedded: false }
      : await (async () => {
          log(`starting Temporal dev server on 127.0.0.1:${config.temporal.port} …`);
          const server = await startTemporalDevServer({
            port: config.temporal.port,
            uiPort: config.temporal.uiPort,
            dataDir: config.dataDir,
            logFile: join(logs, 'temporal.log'),
          });
          stops.push(() => server.stop());
          await waitForTemporal(server.address);
          return { address: server.address, namespace: 'default', ...(server.uiUrl ? { uiUrl: server.uiUrl } : {}), embedded: true };
        })();

    const mongo = config.mongo.url
      ? { url: config.mongo.url, embedded: false }
      : await (async () => {
          log(`starting FerretDB on 127.0.0.1:${config.mongo.port} …`);
          const server = await startFerretDb({ port: config.mongo.port, dataDir: join(config.dataDir, 'ferretdb'), logFile: join(logs, 'ferretdb.log') });
          stops.push(() => server.stop());
          return { url: server.url, embedded: true };
        })();

    const smtp = config.smtp.url
      ? { url: config.smtp.url, embedded: false }
      : await (async () => {
          log(`starting the SMTP inbox on 127.0.0.1:${config.smtp.port} (HTTP ${config.smtp.inboxPort}) …`);
          const inbox = await startInbox({ smtpPort: config.smtp.port, httpPort: config.smtp.inboxPort, dataDir: join(config.dataDir, 'inbox') });
          stops.push(() => inbox.stop());
          return { url: inbox.smtpUrl, inboxUrl: inbox.apiUrl, embedded: true };
        })();

    const { accountSid, authToken, from } = config.twilio;
    const twilio =
      accountSid && authToken && from
        ? { accountSid, authToken, from, ...(config.twilio.baseUrl ? { baseUrl: config.twilio.baseUrl } : {}), embedded: false }
        : await (async () => {
            log(`starting the SMS sandbox on 127.0.0.1:${config.twilio.sandboxPort} …`);
            const sandbox = await startSmsSandbox({ port: config.twilio.sandboxPort, ...sandboxTwilio, dataDir: join(config.dataDir, 'sms') });
            stops.push(() => sandbox.stop());
            return { ...sandboxTwilio, baseUrl: sandbox.baseUrl, embedded: true };
          })();

    return {
      endpoints: { temporal, mongo, smtp, twilio },
      stop: async () => {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

/** Environment for a child process (the worker) so it uses the same endpoints. */
export function endpointsEnv(endpoints: Endpoints): NodeJS.ProcessEnv {
  return {
    TEMPORAL_ADDRESS: endpoints.temporal.address,
    TEMPORAL_NAMESPACE: endpoints.temporal.namespace,
    MONGODB_URL: endpoints.mongo.url,
    SMTP_URL: endpoints.smtp.url,
    ...(endpoints.smtp.inboxUrl ? { WAYMARK_SMTP_LOOKUP_URL: endpoints.smtp.inboxUrl } : {}),
    TWILIO_ACCOUNT_SID: endpoints.twilio.accountSid,
    TWILIO_AUTH_TOKEN: endpoints.twilio.authToken,
    TWILIO_FROM: endpoints.twilio.from,
    ...(endpoints.twilio.baseUrl ? { WAYMARK_TWILIO_BASE_URL: endpoints.twilio.baseUrl } : {}),
  };
}
