import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Endpoints } from '../embedded/index.ts';
import { startAliyunSmsSandbox } from '../embedded/aliyun-sms-sandbox.ts';
import { freePort } from '../embedded/process.ts';
import { createClients, type Clients } from './clients.ts';
import { loadConfig } from './config.ts';
import { createHealthCheck } from './health.ts';

const services = inject('services');

function endpoints(overrides: Partial<Endpoints> = {}): Endpoints {
  return {
    temporal: { address: services.temporalAddress, namespace: 'default', embedded: false },
    mongo: { url: services.mongoUrl, embedded: false },
    smtp: { url: `smtp://${services.smtp.host}:${services.smtp.port}`, embedded: false },
    twilio: { accountSid: services.sms.accountSid, authToken: services.sms.authToken, from: '+15005550006', baseUrl: services.sms.baseUrl, embedded: false },
    ...overrides,
  };
}

describe('health check', () => {
  const config = loadConfig({ WAYMARK_DATA_DIR: `${services.dataDir}/health` });
  let healthy: Clients;
  let broken: Clients;

  beforeAll(async () => {
    healthy = await createClients(config, endpoints());
    // Nothing listens on this port: the SMTP check must fail and say so.
    const deadPort = await freePort();
    broken = await createClients(config, endpoints({ smtp: { url: `smtp://127.0.0.1:${deadPort}`, embedded: false } }));
  });
  afterAll(async () => {
    await healthy.close();
    await broken.close();
  });

  it('reports every dependency ok when all answer', async () => {
    const health = await createHealthCheck(healthy, services.sms.accountSid)();
    expect(health).toEqual({
      ok: true,
      services: { temporal: { ok: true }, mongodb: { ok: true }, smtp: { ok: true }, sms: { ok: true } },
    });
  });

  it('names the dependency that is down', async () => {
    const health = await createHealthCheck(broken, services.sms.accountSid, 2_000)();
    expect(health.ok).toBe(false);
    expect(health.services.smtp.ok).toBe(false);
    expect(health.services.smtp.detail).toMatch(/ECONNREFUSED|connect/i);
    expect(health.services.temporal.ok).toBe(true);
    expect(health.services.mongodb.ok).toBe(true);
  });

  it('reports the SMS provider down when Twilio rejects the credentials', async () => {
    const health = await createHealthCheck(healthy, 'AC-not-this-account', 2_000)();
    expect(health.services.sms.ok).toBe(false);
  });

  it('asks Aliyun SMS too when it is the provider, and names a wrong key', async () => {
    const sandbox = await startAliyunSmsSandbox({ port: await freePort(), accessKeyId: 'LTAIhealth', accessKeySecret: 'right' });
    const aliyun = (secret: string) => createClients(config, endpoints({ aliyun: { accessKeyId: 'LTAIhealth', accessKeySecret: secret, endpoint: sandbox.endpoint, embedded: false } }));
    const [good, wrong] = await Promise.all([aliyun('right'), aliyun('wrong')]);
    try {
      expect((await createHealthCheck(good, services.sms.accountSid)()).services.aliyunSms).toEqual({ ok: true });
      const health = await createHealthCheck(wrong, services.sms.accountSid)();
      expect(health.ok).toBe(false);
      expect(health.services.aliyunSms).toMatchObject({ ok: false, detail: expect.stringContaining('SignatureDoesNotMatch') });
    } finally {
      await Promise.all([good.close(), wrong.close(), sandbox.stop()]);
    }
  });
});
