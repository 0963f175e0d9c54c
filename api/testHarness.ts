import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from 'mongodb';
import { createApiKey } from '../store/apiKeys.ts';
import { ensureIndexes } from '../store/db.ts';
import { testDatabase } from '../test/db.ts';
import { createEventPipeline } from '../runtime/pipeline.ts';
import { createApp } from './app.ts';
import { allRoles } from './auth.ts';
import type { AppDeps, ApiConfig, Mailer, SmsSender } from './deps.ts';
import { createFakeRuntime } from './fakeRuntime.ts';
import type { Role } from './route.ts';

/**
 * The running app over HTTP for API tests: a fresh database on the test FerretDB, one API key
 * per role, a fake runtime and recording mailer and SMS sender. Only tests import this.
 */

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface CallOptions {
  /** Which role's key to send; null sends none. Defaults to admin. */
  as?: Role | null;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

export const testConfig: ApiConfig = {
  publicUrl: 'http://placeholder',
  secret: 'test-secret-for-signed-links',
  twilioAuthToken: 'test-twilio-token',
  ingestRate: { perSecond: 1000, burst: 2000 },
};

export async function startTestApp(overrides: Partial<Omit<AppDeps, 'config'>> & { config?: Partial<ApiConfig> } = {}) {
  const database = await testDatabase();
  const db: Db = database.db;
  await ensureIndexes(db);
  const keys = {} as Record<Role, string>;
  for (const role of allRoles) keys[role] = (await createApiKey(db, { name: `${role} key`, role }, new Date())).plaintext;
  const runtime = createFakeRuntime();
  const sent = { emails: [] as Parameters<Mailer['send']>[0][], sms: [] as Parameters<SmsSender['send']>[0][] };
  const mailer: Mailer = { send: async (m) => (sent.emails.push(m), { messageId: `<test-${sent.emails.length}@waymark>` }) };
  const sms: SmsSender = { send: async (m) => (sent.sms.push(m), { sid: `SM${String(sent.sms.length).padStart(32, '0')}` }) };
  const server = createServer();
  // Large imports stream for longer than Node's default 5-minute request timeout.
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config: ApiConfig = { ...testConfig, publicUrl, ...overrides.config };
  const pipeline = overrides.pipeline ?? createEventPipeline({ db, runtime: overrides.runtime ?? runtime, ...(overrides.clock ? { clock: overrides.clock } : {}) });
  const app = createApp({
    db,
    runtime,
    mailer,
    sms,
    health: async () => ({ ok: true, services: { mongo: { ok: true } } }),
    ...overrides,
    pipeline,
    config,
  });
  server.on('request', app);

  async function call(method: string, path: string, options: CallOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const role = options.as === undefined ? 'admin' : options.as;
    if (role !== null) headers['authorization'] = `Bearer ${keys[role]}`;
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers, ...(body === undefined ? {} : { body }) };
    if (body instanceof ReadableStream) init.duplex = 'half';
    const response = await fetch(`${publicUrl}/v1${path}`, init);
    const text = await response.text();
    // Tests read what a request changed: let the event pipeline finish the events it accepted.
    if (method !== 'GET') await pipeline.drain();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  return {
    db,
    publicUrl,
    config,
    keys,
    runtime,
    pipeline,
    sent,
    call,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;
