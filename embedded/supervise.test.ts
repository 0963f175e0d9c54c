// The supervisor on a real process that keeps crashing: it is restarted with backoff, then
// given up on and reported with its log's path and last lines, and /v1/health's check turns 503.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createClients, type Clients } from '../cli/clients.ts';
import { loadConfig } from '../cli/config.ts';
import { createHealthCheck } from '../cli/health.ts';
import { startProcess } from './process.ts';
import { supervise } from './supervise.ts';

const services = inject('services');
const dataDir = mkdtempSync(join(tmpdir(), 'waymark-supervise-'));
let clients: Clients | undefined;

afterAll(async () => {
  await clients?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('supervise', () => {
  it('restarts a process that exits, stops after a run of failures and reports it with its log', async () => {
    const lines: Array<[string, string]> = [];
    const logFile = join(dataDir, 'logs', 'crashy.log');
    // Runs 300 ms, says why it fails, exits 3: a crash loop.
    const script = "setTimeout(() => { console.error('fatal: cannot open /nowhere/db.sqlite'); process.exit(3); }, 300)";
    const crashy = await supervise({
      name: 'crashy',
      key: 'crashy',
      logFile,
      dataDir,
      log: { info: (l) => lines.push(['info', l]), warn: (l) => lines.push(['warn', l]), error: (l) => lines.push(['error', l]) },
      start: () => startProcess({ name: 'crashy', cmd: process.execPath, args: ['-e', script], logFile }),
      maxFailures: 3,
      initialDelayMs: 100,
    });
    expect(existsSync(join(dataDir, 'run', 'crashy.pid'))).toBe(true);
    const deadline = Date.now() + 20_000;
    while (crashy.state().state !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const state = crashy.state();
    expect(state).toMatchObject({ state: 'failed', restarts: 2, lastRestart: { reason: expect.stringMatching(/exited with code 3/) } });
    expect(state.detail).toContain(logFile);
    expect(existsSync(join(dataDir, 'run', 'crashy.pid'))).toBe(false);
    // One line per start, exit and restart; then the report, with the log's last lines.
    expect(lines.filter(([, l]) => /crashy (started|restarted)/.test(l))).toHaveLength(3);
    expect(lines.filter(([level, l]) => level === 'warn' && /crashy exited with code 3 .*restarting in 0\.[12] s/.test(l))).toHaveLength(2);
    const report = lines.filter(([level]) => level === 'error');
    expect(report).toHaveLength(1);
    expect(report[0]?.[1]).toMatch(/keeps failing \(3 times in a row/);
    expect(report[0]?.[1]).toContain(logFile);
    expect(report[0]?.[1]).toContain('fatal: cannot open /nowhere/db.sqlite');

    // Not retried any more.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(crashy.state().restarts).toBe(2);

    // Health says so, although every dependency answers.
    const endpoints = {
      temporal: { address: services.temporalAddress, namespace: 'default', embedded: false },
      mongo: { url: services.mongoUrl, embedded: false },
      smtp: { url: `smtp://${services.smtp.host}:${services.smtp.port}`, embedded: false },
      twilio: { accountSid: services.sms.accountSid, authToken: services.sms.authToken, from: '+15005550006', baseUrl: services.sms.baseUrl, embedded: false },
    };
    clients = await createClients(loadConfig({ WAYMARK_DATA_DIR: dataDir }), endpoints);
    const health = await createHealthCheck(clients, services.sms.accountSid, 3_000, () => ({ crashy: crashy.state() }))();
    expect(Object.values(health.services).every((s) => s.ok)).toBe(true);
    expect(health.ok).toBe(false);
    expect(health.supervised?.['crashy']).toMatchObject({ state: 'failed', restarts: 2 });
    await crashy.stop();
  });
});
