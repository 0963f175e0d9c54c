import type { Db } from 'mongodb';
import type { CustomerProfile } from '../journey/customer.ts';
import type { MessageTemplate } from '../journey/template.ts';
import type { LunarCalendar } from '../journey/lunar.ts';
import type { Logger } from 'pino';
import type { EventPipeline } from '../runtime/pipeline.ts';
import type { JourneyRuntime } from '../runtime/runtime.ts';

/** Sends one email (nodemailer in production, a recorder in tests). */
export interface Mailer {
  send(message: {
    to: string;
    subject: string;
    html?: string | undefined;
    text?: string | undefined;
    headers?: Record<string, string> | undefined;
  }): Promise<{ messageId: string }>;
}

/** Sends one SMS (Twilio or the SMS sandbox in production, a recorder in tests). */
export interface SmsSender {
  send(message: { to: string; body: string }): Promise<{ sid: string }>;
}

/** One rendered language version of a message template. */
export interface RenderedMessage {
  /** The locale actually used, after falling back (e.g. `zh-TW` → `zh-CN` → `en`). */
  locale: string;
  subject?: string | undefined;
  html?: string | undefined;
  text?: string | undefined;
  body?: string | undefined;
}

/**
 * Renders templates exactly as a send would (locale fallback, Handlebars helpers, customer
 * context). Injected so the API shares the email and SMS activities' renderer instead of
 * keeping a second one that could drift.
 */
export interface MessageRenderer {
  render(input: {
    template: MessageTemplate;
    locale: string;
    customer: CustomerProfile;
    vars: Record<string, string>;
    unsubscribeUrl: string;
    now: Date;
  }): RenderedMessage | Promise<RenderedMessage>;
}

/** What `GET /v1/health` reports; the composition root checks each service. */
export interface HealthReport {
  ok: boolean;
  services: Record<string, { ok: boolean; detail?: string }>;
}

/** Settings of the API that are not services. */
export interface ApiConfig {
  /** Base URL the world reaches the API at (signed links, Twilio's signature URL). */
  publicUrl: string;
  /** HMAC key of unsubscribe and preference links. */
  secret: string;
  /** Auth token that Twilio signs webhooks with. */
  twilioAuthToken: string;
  /** Largest JSON or form body, in bytes (default 1 MiB). Imports have their own limit. */
  bodyLimitBytes?: number;
  /** Largest import file, in bytes (default 1 GiB). */
  importLimitBytes?: number;
  /** Event ingestion per API key: sustained events per second and burst (default 1000 / 2000). */
  ingestRate?: { perSecond: number; burst: number };
  /** Template test sends per API key: sustained per minute and burst (default 10 / 5). */
  testSendRate?: { perMinute: number; burst: number };
}

/** Everything with side effects that `createApp` uses, injected so tests can pass fakes. */
export interface AppDeps {
  db: Db;
  runtime: JourneyRuntime;
  /** The event pipeline every event goes through; made from `db` and `runtime` when omitted. */
  pipeline?: EventPipeline;
  mailer: Mailer;
  sms: SmsSender;
  /** Template previews and test sends answer 503 until one is wired (see `MessageRenderer`). */
  renderer?: MessageRenderer;
  /** The lunar calendar (农历) forecasts convert lunar date attributes with; without it a lunar date never comes up in them. */
  lunarCalendar?: LunarCalendar;
  config: ApiConfig;
  health: () => Promise<HealthReport>;
  /** Request and error log; never receives keys, tokens or bodies. Silent when omitted. */
  logger?: Logger;
  /** The time; tests pin it. Defaults to the wall clock. */
  clock?: () => Date;
}

/** `AppDeps` with the optional parts resolved. */
export type ResolvedDeps = Required<Omit<AppDeps, 'renderer' | 'lunarCalendar'>> & Pick<AppDeps, 'renderer' | 'lunarCalendar'>;
