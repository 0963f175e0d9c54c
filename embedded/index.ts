import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../cli/config.ts';
import { startFerretDb } from './ferretdb.ts';
import { isListening, startProcess, type ManagedProcess } from './process.ts';
import { persisted } from './secret-file.ts';
import type { ServiceKind } from './serve.ts';
import { supervise, type Supervised, type SuperviseOptions } from './supervise.ts';
import { startTemporalDevServer } from './temporal.ts';
import { WECOM_SANDBOX_CORP } from './wecom-sandbox.ts';

/** Where each dependency is, whether Waymark started it or it was configured. */
export interface Endpoints {
  temporal: { address: string; namespace: string; uiUrl?: string; embedded: boolean };
  mongo: { url: string; embedded: boolean };
  smtp: { url: string; inboxUrl?: string; embedded: boolean };
  twilio: { accountSid: string; authToken: string; from: string; baseUrl?: string; embedded: boolean };
  /** Aliyun SMS, when it is the SMS provider (`SMS_PROVIDER=aliyun`): real, or the embedded sandbox. */
  aliyun?: { accessKeyId: string; accessKeySecret: string; endpoint?: string; baseUrl?: string; embedded: boolean };
  /** Each platform's robot API: configured, or the embedded robot sandbox (`sandboxUrl`). */
  robots?: { baseUrls: Record<'wecom' | 'dingtalk' | 'feishu', string>; sandboxUrl?: string };
  /** WeCom customer contact (1:1 outreach): configured, or the robot sandbox's WeCom API and its corp. */
  wecom?: { baseUrl?: string; corpId: string; secret: string };
}

/** The sandbox's account and sender: not secrets, nothing leaves the machine. */
export const sandboxAccount = { accountSid: `AC${'5a'.repeat(16)}`, from: '+15005550006' };

/**
 * The sandbox's auth token (the key of its webhook signatures): random per data directory,
 * kept there readable by its owner only, reused on restart.
 */
export const sandboxAuthToken = (dataDir: string) => persisted(dataDir, 'sms-sandbox-token', () => randomBytes(24).toString('base64url'));

/** The Aliyun SMS sandbox's access key id (not a secret) and its secret, random per data directory like the Twilio sandbox's token. */
export const aliyunSandboxKeyId = 'LTAIwaymarkSandbox';
export const aliyunSandboxSecret = (dataDir: string) => persisted(dataDir, 'aliyun-sms-sandbox-secret', () => randomBytes(24).toString('base64url'));

/** Where `npm start` keeps the embedded services' files inside the data directory. */
export const dataLayout = (dataDir: string) => ({
  logs: join(dataDir, 'logs'),
  ferretdb: join(dataDir, 'ferretdb'),
  inbox: join(dataDir, 'inbox'),
  sms: join(dataDir, 'sms'),
  aliyunSms: join(dataDir, 'aliyun-sms'),
  robots: join(dataDir, 'robots'),
  run: join(dataDir, 'run'),
  /** `npm start`'s pid while it runs: `waymark restore` will not overwrite a running data directory. */
  pid: join(dataDir, 'run', 'waymark.pid'),
});

/** One line of console output at a level; lines below `LOG_LEVEL` are dropped by the caller. */
export type Log = SuperviseOptions['log'];

const serveEntry = fileURLToPath(new URL('./serve.ts', import.meta.url));

/**
 * Starts one of Waymark's own services (`embedded/serve.ts`) as a process of its own: `node`
 * with tsx's loader, one process, so a kill reaches the service itself.
 */
export function startOwnService(kind: ServiceKind, options: {
  name: string;
  ports: number[];
  logFile: string;
  serviceOptions: Record<string, unknown>;
}): Promise<ManagedProcess> {
  const [port, ...more] = options.ports;
  return startProcess({
    name: options.name,
    cmd: process.execPath,
    args: ['--import', import.meta.resolve('tsx'), serveEntry, kind],
    ...(port !== undefined ? { port } : {}),
    logFile: options.logFile,
    env: { WAYMARK_SERVICE_OPTIONS: JSON.stringify(options.serviceOptions) },
    supervised: true,
    // The service opens its ports one after the other: the others may follow the first a
    // moment later (longer on a loaded machine).
    ready: async () => {
      const deadline = Date.now() + 30_000;
      for (const p of more) {
        while (!(await isListening(p))) {
          if (Date.now() > deadline) throw new Error(`${options.name} does not listen on ${p} within 30 s; see ${options.logFile}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  });
}

/**
 * Starts every dependency that is not configured (the embedded default), each supervised
 * (restarted with backoff when it exits, see `supervise`), and returns where each one is.
 * `stop()` stops what was started, in reverse order.
 */
export async function startEmbedded(
  config: Config,
  log: Log,
  /** Where the Aliyun sandbox pushes delivery reports (the API's SmsReport URL). */
  options: { aliyunReportUrl?: string } = {},
): Promise<{ endpoints: Endpoints; services: Supervised[]; stop(): Promise<void> }> {
  const services: Supervised[] = [];
  const layout = dataLayout(config.dataDir);
  const stop = async () => {
    for (const service of [...services].reverse()) await service.stop().catch(() => undefined);
  };
  const supervised = async (name: string, key: string, start: (logFile: string) => Promise<ManagedProcess>) => {
    const logFile = join(layout.logs, `${key}.log`);
    services.push(await supervise({ name, key, logFile, dataDir: config.dataDir, log, start: () => start(logFile) }));
  };
  try {
    let temporal: Endpoints['temporal'] = { address: config.temporal.address ?? '', namespace: config.temporal.namespace, embedded: false };
    if (!config.temporal.address) {
      const { port, uiPort } = config.temporal;
      const address = `127.0.0.1:${port}`;
      await supervised('Temporal dev server', 'temporal', (logFile) => startTemporalDevServer({ port, uiPort, dataDir: config.dataDir, logFile, supervised: true }));
      temporal = { address, namespace: 'default', uiUrl: `http://127.0.0.1:${uiPort}`, embedded: true };
    }

    let mongo: Endpoints['mongo'] = { url: config.mongo.url ?? '', embedded: false };
    if (!config.mongo.url) {
      const { port } = config.mongo;
      await supervised('FerretDB', 'ferretdb', (logFile) => startFerretDb({ port, dataDir: layout.ferretdb, logFile, supervised: true }));
      mongo = { url: `mongodb://127.0.0.1:${port}/`, embedded: true };
    }

    let smtp: Endpoints['smtp'] = { url: config.smtp.url ?? '', embedded: false };
    if (!config.smtp.url) {
      const { port, inboxPort } = config.smtp;
      await supervised('SMTP inbox', 'inbox', (logFile) =>
        startOwnService('inbox', { name: 'SMTP inbox', ports: [port, inboxPort], logFile, serviceOptions: { smtpPort: port, httpPort: inboxPort, dataDir: layout.inbox } }),
      );
      smtp = { url: `smtp://127.0.0.1:${port}`, inboxUrl: `http://127.0.0.1:${inboxPort}`, embedded: true };
    }

    const { accountSid, authToken, from } = config.twilio;
    let twilio: Endpoints['twilio'];
    if (accountSid && authToken && from) {
      twilio = { accountSid, authToken, from, ...(config.twilio.baseUrl ? { baseUrl: config.twilio.baseUrl } : {}), embedded: false };
    } else {
      const port = config.twilio.sandboxPort;
      const sandbox = { ...sandboxAccount, authToken: sandboxAuthToken(config.dataDir) };
      await supervised('SMS sandbox', 'sms', (logFile) =>
        startOwnService('sms', { name: 'SMS sandbox', ports: [port], logFile, serviceOptions: { port, accountSid: sandbox.accountSid, authToken: sandbox.authToken, dataDir: layout.sms } }),
      );
      twilio = { ...sandbox, baseUrl: `http://127.0.0.1:${port}`, embedded: true };
    }
    let aliyun: Endpoints['aliyun'];
    if (config.sms.provider === 'aliyun') {
      const { accessKeyId, accessKeySecret, endpoint, sandboxPort: port } = config.sms.aliyun;
      if (accessKeyId && accessKeySecret) {
        aliyun = { accessKeyId, accessKeySecret, ...(endpoint ? { endpoint } : {}), embedded: false };
      } else {
        const keys = { accessKeyId: aliyunSandboxKeyId, accessKeySecret: aliyunSandboxSecret(config.dataDir) };
        await supervised('Aliyun SMS sandbox', 'aliyun-sms', (logFile) =>
          startOwnService('aliyun-sms', { name: 'Aliyun SMS sandbox', ports: [port], logFile, serviceOptions: { port, ...keys, dataDir: layout.aliyunSms, ...(options.aliyunReportUrl ? { reportUrl: options.aliyunReportUrl } : {}) } }),
        );
        aliyun = { ...keys, endpoint: `127.0.0.1:${port}`, baseUrl: `http://127.0.0.1:${port}`, embedded: true };
      }
    }
    // Group robots: the platforms the operator did not point anywhere go to the robot sandbox.
    const configured = config.robots.baseUrls;
    let robots: Endpoints['robots'];
    let wecom: Endpoints['wecom'];
    const corp = config.wecom;
    if (corp.corpId && corp.secret) wecom = { corpId: corp.corpId, secret: corp.secret, ...(corp.baseUrl ? { baseUrl: corp.baseUrl } : {}) };
    if (configured.wecom && configured.dingtalk && configured.feishu && wecom) {
      robots = { baseUrls: { wecom: configured.wecom, dingtalk: configured.dingtalk, feishu: configured.feishu } };
    } else {
      const port = config.robots.sandboxPort;
      await supervised('Robot sandbox', 'robots', (logFile) =>
        startOwnService('robots', { name: 'Robot sandbox', ports: [port], logFile, serviceOptions: { port, dataDir: layout.robots } }),
      );
      const sandboxUrl = `http://127.0.0.1:${port}`;
      robots = { baseUrls: { wecom: configured.wecom ?? sandboxUrl, dingtalk: configured.dingtalk ?? sandboxUrl, feishu: configured.feishu ?? sandboxUrl }, sandboxUrl };
      wecom ??= { ...WECOM_SANDBOX_CORP, baseUrl: sandboxUrl };
    }
    return { endpoints: { temporal, mongo, smtp, twilio, ...(aliyun ? { aliyun } : {}), robots, wecom }, services, stop };
  } catch (error) {
    await stop();
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
    ...(endpoints.aliyun
      ? {
          SMS_PROVIDER: 'aliyun',
          ALIYUN_ACCESS_KEY_ID: endpoints.aliyun.accessKeyId,
          ALIYUN_ACCESS_KEY_SECRET: endpoints.aliyun.accessKeySecret,
          ...(endpoints.aliyun.endpoint ? { ALIYUN_SMS_ENDPOINT: endpoints.aliyun.endpoint } : {}),
        }
      : {}),
    ...(endpoints.robots
      ? {
          WAYMARK_WECOM_ROBOT_URL: endpoints.robots.baseUrls.wecom,
          WAYMARK_DINGTALK_ROBOT_URL: endpoints.robots.baseUrls.dingtalk,
          WAYMARK_FEISHU_ROBOT_URL: endpoints.robots.baseUrls.feishu,
        }
      : {}),
    ...(endpoints.wecom
      ? {
          WAYMARK_WECOM_CORP_ID: endpoints.wecom.corpId,
          WAYMARK_WECOM_CORP_SECRET: endpoints.wecom.secret,
          ...(endpoints.wecom.baseUrl ? { WAYMARK_WECOM_API_URL: endpoints.wecom.baseUrl } : {}),
        }
      : {}),
  };
}
