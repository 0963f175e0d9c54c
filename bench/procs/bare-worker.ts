// The bare baselines' worker (bench/workflows/bare.ts): the same Temporal worker defaults as
// Waymark's, and one activity that sends an email through a nodemailer pool configured like
// Waymark's (cli/clients.ts: pooled, 5 connections).
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import type { BareActivities } from '../workflows/bare.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`bench bare worker: set ${name}`);
  return value;
};

const mailer = nodemailer.createTransport({ pool: true, url: env('SMTP_URL'), maxConnections: 5 });
const activities: BareActivities = {
  async sendEmail(message) {
    await mailer.sendMail({ from: 'Bench <bench@waymark.local>', ...message });
  },
};
const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
const worker = await Worker.create({
  connection,
  namespace: 'default',
  taskQueue: env('TEMPORAL_TASK_QUEUE'),
  workflowsPath: fileURLToPath(new URL('../workflows/bare.ts', import.meta.url)),
  activities,
  shutdownGraceTime: '10 seconds',
});
console.log(`bench bare worker: polling (pid ${process.pid})`);
await worker.run();
await connection.close();
mailer.close();
