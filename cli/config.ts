import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { persisted } from '../embedded/secret-file.ts';
import { WorkspaceLanguage } from '../store/builtins.ts';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optional = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() ? v.trim() : undefined));

/**
 * Every environment variable Waymark reads, with its default. README.md's configuration
 * table lists the same names: keep them in step.
 */
/** `.data` in the repository: the data directory when WAYMARK_DATA_DIR is not set. */
export const defaultDataDir = resolve(import.meta.dirname, '..', '.data');

const Env = z.object({
  WAYMARK_DATA_DIR: z.string().default(defaultDataDir),
  WAYMARK_HOST: z.string().default('127.0.0.1'),
  WAYMARK_PORT: port(3000),
  WAYMARK_PUBLIC_URL: optional,
  WAYMARK_SECRET: optional,
  WAYMARK_ADMIN_API_KEY: optional,
  WAYMARK_SEED: z.enum(['auto', 'never']).default('auto'),
  WAYMARK_LANGUAGE: WorkspaceLanguage.default('en'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  TEMPORAL_ADDRESS: optional,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('waymark'),
  TEMPORAL_API_KEY: optional,
  TEMPORAL_TLS: z.enum(['true', 'false']).default('false'),
  WAYMARK_TEMPORAL_PORT: port(7233),
  WAYMARK_TEMPORAL_UI_PORT: port(8233),

  MONGODB_URL: optional,
  MONGODB_DB: z.string().default('waymark'),
  WAYMARK_MONGO_PORT: port(27017),

  SMTP_URL: optional,
  /** The embedded inbox's HTTP API: lets the worker ask whether a send cut off mid-answer arrived. */
  WAYMARK_SMTP_LOOKUP_URL: optional,
  SMTP_FROM: z.string().default('Waymark <hello@waymark.local>'),
  WAYMARK_SMTP_PORT: port(1025),
  WAYMARK_INBOX_PORT: port(8025),

  TWILIO_ACCOUNT_SID: optional,
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_FROM: optional,
  /** Base URL of a Twilio-compatible API; set by `npm start` to its SMS sandbox. */
  WAYMARK_TWILIO_BASE_URL: optional,
  WAYMARK_SMS_PORT: port(8026),

  /** Which provider sends journey SMS: Twilio (default) or Aliyun SMS (阿里云短信). */
  SMS_PROVIDER: z.enum(['twilio', 'aliyun']).default('twilio'),
  ALIYUN_ACCESS_KEY_ID: optional,
  ALIYUN_ACCESS_KEY_SECRET: optional,
  /** Aliyun SMS endpoint (host or host:port); set by `npm start` to its Aliyun sandbox. */
  ALIYUN_SMS_ENDPOINT: optional,
  WAYMARK_ALIYUN_SMS_PORT: port(8027),

  /** Group robot APIs; a platform left unset goes to the embedded robot sandbox. */
  WAYMARK_WECOM_ROBOT_URL: optional,
  WAYMARK_DINGTALK_ROBOT_URL: optional,
  WAYMARK_FEISHU_ROBOT_URL: optional,
  WAYMARK_ROBOT_PORT: port(8028),
  /** WeCom customer contact (1:1 outreach); without a corp id, the robot sandbox's WeCom API. */
  WAYMARK_WECOM_API_URL: optional,
  WAYMARK_WECOM_CORP_ID: optional,
  WAYMARK_WECOM_CORP_SECRET: optional,
});

/** Resolved configuration: what to start embedded and where everything is. */
export interface Config {
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string;
  secret: string;
  adminApiKey: string;
  seed: 'auto' | 'never';
  /** The workspace's language: which version of the built-in journeys and templates a first start seeds. */
  language: WorkspaceLanguage;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  temporal: { address?: string; namespace: string; taskQueue: string; apiKey?: string; tls: boolean; port: number; uiPort: number };
  mongo: { url?: string; db: string; port: number };
  smtp: { url?: string; from: string; port: number; inboxPort: number; lookupUrl?: string };
  twilio: { accountSid?: string; authToken?: string; from?: string; baseUrl?: string; sandboxPort: number };
  /** The SMS provider of journey sends; Aliyun's keys and endpoint when it is Aliyun (none: the embedded Aliyun sandbox). */
  sms: { provider: 'twilio' | 'aliyun'; aliyun: { accessKeyId?: string; accessKeySecret?: string; endpoint?: string; sandboxPort: number } };
  /** Base URLs of the group robot APIs the operator configured (trusted); the rest use the sandbox. */
  robots: { baseUrls: Partial<Record<'wecom' | 'dingtalk' | 'feishu', string>>; sandboxPort: number };
  /** WeCom customer contact: a configured API base URL (trusted) and the corp's id and customer-contact secret; no corp id: the sandbox. */
  wecom: { baseUrl?: string; corpId?: string; secret?: string };
}

/**
 * Reads the configuration from `env`. A missing secret or admin key is generated once and kept
 * in the data directory, so restarts keep signed links and keys valid.
 *
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${problems}\nSee the configuration table in README.md.`);
  }
  const e = parsed.data;
  const twilioVars = [e.TWILIO_ACCOUNT_SID, e.TWILIO_AUTH_TOKEN, e.TWILIO_FROM].filter(Boolean).length;
  if (twilioVars !== 0 && twilioVars !== 3) {
    throw new Error('Invalid configuration: set all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM, or none (to use the SMS sandbox).');
  }
  if (Boolean(e.ALIYUN_ACCESS_KEY_ID) !== Boolean(e.ALIYUN_ACCESS_KEY_SECRET)) {
    throw new Error('Invalid configuration: set both ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET, or neither (to use the Aliyun SMS sandbox).');
  }
  if (e.ALIYUN_ACCESS_KEY_ID && e.SMS_PROVIDER !== 'aliyun') {
    throw new Error('Invalid configuration: ALIYUN_ACCESS_KEY_ID is set but SMS_PROVIDER is not aliyun; set SMS_PROVIDER=aliyun to send SMS through Aliyun.');
  }
  mkdirSync(e.WAYMARK_DATA_DIR, { recursive: true });
  return {
    dataDir: e.WAYMARK_DATA_DIR,
    host: e.WAYMARK_HOST,
    port: e.WAYMARK_PORT,
    publicUrl: e.WAYMARK_PUBLIC_URL ?? `http://${e.WAYMARK_HOST}:${e.WAYMARK_PORT}`,
    secret: e.WAYMARK_SECRET ?? persisted(e.WAYMARK_DATA_DIR, 'secret', () => randomBytes(32).toString('hex')),
    adminApiKey: e.WAYMARK_ADMIN_API_KEY ?? persisted(e.WAYMARK_DATA_DIR, 'admin-api-key', () => `wm_admin_${randomBytes(18).toString('base64url')}`),
    seed: e.WAYMARK_SEED,
    language: e.WAYMARK_LANGUAGE,
    logLevel: e.LOG_LEVEL,
    temporal: {
      ...(e.TEMPORAL_ADDRESS ? { address: e.TEMPORAL_ADDRESS } : {}),
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
      tls: e.TEMPORAL_TLS === 'true' || Boolean(e.TEMPORAL_API_KEY),
      port: e.WAYMARK_TEMPORAL_PORT,
      uiPort: e.WAYMARK_TEMPORAL_UI_PORT,
    },
    mongo: { ...(e.MONGODB_URL ? { url: e.MONGODB_URL } : {}), db: e.MONGODB_DB, port: e.WAYMARK_MONGO_PORT },
    smtp: {
      ...(e.SMTP_URL ? { url: e.SMTP_URL } : {}),
      ...(e.WAYMARK_SMTP_LOOKUP_URL ? { lookupUrl: e.WAYMARK_SMTP_LOOKUP_URL } : {}),
      from: e.SMTP_FROM,
      port: e.WAYMARK_SMTP_PORT,
      inboxPort: e.WAYMARK_INBOX_PORT,
    },
    twilio: {
      ...(e.TWILIO_ACCOUNT_SID ? { accountSid: e.TWILIO_ACCOUNT_SID } : {}),
      ...(e.TWILIO_AUTH_TOKEN ? { authToken: e.TWILIO_AUTH_TOKEN } : {}),
      ...(e.TWILIO_FROM ? { from: e.TWILIO_FROM } : {}),
      ...(e.WAYMARK_TWILIO_BASE_URL ? { baseUrl: e.WAYMARK_TWILIO_BASE_URL } : {}),
      sandboxPort: e.WAYMARK_SMS_PORT,
    },
    sms: {
      provider: e.SMS_PROVIDER,
      aliyun: {
        ...(e.ALIYUN_ACCESS_KEY_ID ? { accessKeyId: e.ALIYUN_ACCESS_KEY_ID } : {}),
        ...(e.ALIYUN_ACCESS_KEY_SECRET ? { accessKeySecret: e.ALIYUN_ACCESS_KEY_SECRET } : {}),
        ...(e.ALIYUN_SMS_ENDPOINT ? { endpoint: e.ALIYUN_SMS_ENDPOINT } : {}),
        sandboxPort: e.WAYMARK_ALIYUN_SMS_PORT,
      },
    },
    robots: {
      baseUrls: {
        ...(e.WAYMARK_WECOM_ROBOT_URL ? { wecom: e.WAYMARK_WECOM_ROBOT_URL } : {}),
        ...(e.WAYMARK_DINGTALK_ROBOT_URL ? { dingtalk: e.WAYMARK_DINGTALK_ROBOT_URL } : {}),
        ...(e.WAYMARK_FEISHU_ROBOT_URL ? { feishu: e.WAYMARK_FEISHU_ROBOT_URL } : {}),
      },
      sandboxPort: e.WAYMARK_ROBOT_PORT,
    },
    wecom: {
      ...(e.WAYMARK_WECOM_API_URL ? { baseUrl: e.WAYMARK_WECOM_API_URL } : {}),
      ...(e.WAYMARK_WECOM_CORP_ID ? { corpId: e.WAYMARK_WECOM_CORP_ID } : {}),
      ...(e.WAYMARK_WECOM_CORP_SECRET ? { secret: e.WAYMARK_WECOM_CORP_SECRET } : {}),
    },
  };
}
