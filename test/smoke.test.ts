// Foundation smoke tests: each proves that a real service is used, not a mock.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { timeSkippingEnvironment } from './fixtures/time-skipping.ts';
import { NativeConnection, Worker } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import twilio from 'twilio';
import { afterAll, describe, expect, inject, it } from 'vitest';
import * as activities from './fixtures/smoke-activities.ts';
import { testDatabase } from './db.ts';

const services = inject('services');
const workflowsPath = fileURLToPath(new URL('./fixtures/smoke-workflows.ts', import.meta.url));

describe('foundation smoke', () => {
  it('runs a workflow and its activity on the Temporal dev server', async () => {
    const connection = await NativeConnection.connect({ address: services.temporalAddress });
    const taskQueue = `smoke-${randomUUID()}`;
    const worker = await Worker.create({ connection, taskQueue, workflowsPath, activities });
    const client = new Client({ connection: await Connection.connect({ address: services.temporalAddress }) });
    const result = await worker.runUntil(
      client.workflow.execute('greeting', { taskQueue, workflowId: `smoke/${taskQueue}`, args: ['Ada'] }),
    );
    expect(result).toMatch(/^Hello, Ada, from pid \d+$/);
    // The server kept the history: the run is visible afterwards.
    const description = await client.workflow.getHandle(`smoke/${taskQueue}`).describe();
    expect(description.status.name).toBe('COMPLETED');
    await client.connection.close();
    await connection.close();
  });

  it('sleeps 90 days on the time-skipping test server', async () => {
    const env = await timeSkippingEnvironment(services);
    try {
      const taskQueue = `skip-${randomUUID()}`;
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities });
      const elapsed = await worker.runUntil(
        env.client.workflow.execute('longSleep', { taskQueue, workflowId: `skip/${taskQueue}`, args: ['90 days'] }),
      );
      expect(elapsed).toBeGreaterThanOrEqual(90 * 24 * 3600 * 1000);
    } finally {
      await env.teardown();
    }
  });

  it('round-trips a document through FerretDB with the official mongodb driver', async () => {
    const { db, close } = await testDatabase();
    try {
      const customers = db.collection<{ _id: string; name: string; tags: string[] }>('customers');
      await customers.insertOne({ _id: 'c-1', name: '李雷', tags: ['vip'] });
      await customers.updateOne({ _id: 'c-1' }, { $push: { tags: 'dormant' } });
      expect(await customers.findOne({ _id: 'c-1' })).toEqual({ _id: 'c-1', name: '李雷', tags: ['vip', 'dormant'] });
      const build = await db.admin().command({ buildInfo: 1 });
      expect(JSON.stringify(build)).toMatch(/ferretdb/i);
    } finally {
      await close();
    }
  });

  it('delivers an email sent with nodemailer to the SMTP inbox and reads it back over HTTP', async () => {
    const to = `smoke-${randomUUID()}@example.test`;
    const transport = nodemailer.createTransport({ host: services.smtp.host, port: services.smtp.port, secure: false });
    await transport.sendMail({ from: 'waymark@example.test', to, subject: '欢迎 Welcome', text: 'hi', html: '<p>hi</p>' });
    transport.close();
    const res = await fetch(`${services.smtp.apiUrl}/api/v1/messages?to=${encodeURIComponent(to)}`);
    const body = (await res.json()) as { total: number; messages: Array<{ subject: string; html: string }> };
    expect(body.total).toBe(1);
    expect(body.messages[0]?.subject).toBe('欢迎 Welcome');
    expect(body.messages[0]?.html).toContain('<p>hi</p>');
  });

  it('sends an SMS with the real twilio client to the sandbox and reads it back', async () => {
    const client = twilio(services.sms.accountSid, services.sms.authToken);
    client.api.baseUrl = services.sms.baseUrl;
    const to = '+8613800138000';
    const sent = await client.messages.create({ to, from: '+15005550006', body: '您的优惠券：WB-7K3M' });
    expect(sent.sid).toMatch(/^SM[0-9a-f]{32}$/);
    const res = await fetch(`${services.sms.baseUrl}/sandbox/messages?to=${encodeURIComponent(to)}`);
    const body = (await res.json()) as { messages: Array<{ sid: string; body: string }> };
    expect(body.messages.find((m) => m.sid === sent.sid)?.body).toBe('您的优惠券：WB-7K3M');
    // Twilio's documented invalid-number failure surfaces as a typed error with Twilio's code.
    await expect(client.messages.create({ to: '+15005550001', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ code: 21211 });
  });
});

afterAll(() => undefined);
