import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const dataDir = () => mkdtempSync(join(tmpdir(), 'waymark-config-'));

describe('configuration', () => {
  it('defaults to the embedded services on loopback with the documented ports', () => {
    const config = loadConfig({ WAYMARK_DATA_DIR: dataDir() });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3000);
    expect(config.temporal.address).toBeUndefined();
    expect([config.temporal.port, config.temporal.uiPort, config.mongo.port, config.smtp.port, config.smtp.inboxPort]).toEqual([7233, 8233, 27017, 1025, 8025]);
    expect(config.mongo.url).toBeUndefined();
    expect(config.smtp.url).toBeUndefined();
    expect(config.twilio.accountSid).toBeUndefined();
  });

  it('uses real services when their variables are set', () => {
    const config = loadConfig({
      WAYMARK_DATA_DIR: dataDir(),
      TEMPORAL_ADDRESS: 'temporal.example.com:7233',
      TEMPORAL_API_KEY: 'k',
      MONGODB_URL: 'mongodb://db.example.com/',
      SMTP_URL: 'smtps://u:p@smtp.example.com',
      TWILIO_ACCOUNT_SID: 'AC1',
      TWILIO_AUTH_TOKEN: 't',
      TWILIO_FROM: '+15550100',
    });
    expect(config.temporal).toMatchObject({ address: 'temporal.example.com:7233', tls: true });
    expect(config.mongo.url).toBe('mongodb://db.example.com/');
    expect(config.smtp.url).toBe('smtps://u:p@smtp.example.com');
    expect(config.twilio).toMatchObject({ accountSid: 'AC1', authToken: 't', from: '+15550100' });
  });

  it('keeps the generated secret and admin key across restarts', () => {
    const dir = dataDir();
    const first = loadConfig({ WAYMARK_DATA_DIR: dir });
    const second = loadConfig({ WAYMARK_DATA_DIR: dir });
    expect(second.secret).toBe(first.secret);
    expect(second.adminApiKey).toBe(first.adminApiKey);
    expect(readFileSync(join(dir, 'secret'), 'utf8')).toBe(first.secret);
  });

  it('names the variable at fault', () => {
    expect(() => loadConfig({ WAYMARK_DATA_DIR: dataDir(), WAYMARK_PORT: 'eighty' })).toThrow(/WAYMARK_PORT/);
    expect(() => loadConfig({ WAYMARK_DATA_DIR: dataDir(), TWILIO_ACCOUNT_SID: 'AC1' })).toThrow(/TWILIO_AUTH_TOKEN/);
    expect(() => loadConfig({ WAYMARK_DATA_DIR: dataDir(), SMS_PROVIDER: 'aliyun', ALIYUN_ACCESS_KEY_ID: 'LTAI1' })).toThrow(/ALIYUN_ACCESS_KEY_SECRET/);
    expect(() => loadConfig({ WAYMARK_DATA_DIR: dataDir(), ALIYUN_ACCESS_KEY_ID: 'LTAI1', ALIYUN_ACCESS_KEY_SECRET: 's' })).toThrow(/SMS_PROVIDER=aliyun/);
    expect(() => loadConfig({ WAYMARK_DATA_DIR: dataDir(), SMS_PROVIDER: 'sms77' })).toThrow(/SMS_PROVIDER/);
  });
});
