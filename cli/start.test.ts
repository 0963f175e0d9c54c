// `npm start` end to end: the embedded default comes up on loopback, /v1/health turns 200,
// SIGTERM stops every child, and a restart keeps the data.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, freePortRun, isListening } from '../embedded/process.ts';

const entry = fileURLToPath(new URL('./start.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'waymark-start-'));

interface Started {
  child: ChildProcess;
  output: () => string;
  ports: Record<string, number>;
}

async function ports(): Promise<Record<string, number>> {
  const others = {
    WAYMARK_PORT: await freePort(),
    WAYMARK_TEMPORAL_UI_PORT: await freePort(),
    WAYMARK_MONGO_PORT: await freePort(),
    WAYMARK_SMTP_PORT: await freePort(),
    WAYMARK_INBOX_PORT: await freePort(),
    WAYMARK_SMS_PORT: await freePort(),
  };
  // The dev server also takes port+1 and port+2: leave room after it.
  return { ...others, WAYMARK_TEMPORAL_PORT: await freePortRun(3, Object.values(others)) };
}

async function start(fixed?: Record<string, number>): Promise<Started> {
  const chosen = fixed ?? (await ports());
  let output = '';
  const env: NodeJS.ProcessEnv = { ...process.env, WAYMARK_DATA_DIR: dataDir, LOG_LEVEL: 'warn', WAYMARK_SEED: 'never' };
  for (const name of ['TEMPORAL_ADDRESS', 'MONGODB_URL', 'SMTP_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM']) delete env[name];
  for (const [k, v] of Object.entries(chosen)) env[k] = String(v);
  const child = spawn(tsx, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output, ports: chosen };
}

async function health(port: number): Promise<{ status: number; body: { ok?: boolean; services?: Record<string, { ok: boolean }> } } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/health`);
    return { status: res.status, body: (await res.json()) as { ok?: boolean } };
  } catch {
    return null;
  }
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, output: () => string, ms = 120_000, child?: ChildProcess): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode} before ${what}. Output:\n${output()}`);
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not happen within ${ms} ms. Output:\n${output()}`);
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** Listening sockets (address:port) of processes other than this test's, from `ss`. */
function listeners(): string[] {
  return execFileSync('ss', ['-Hltn'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[3] ?? '')
    .filter(Boolean);
}

describe('npm start', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('brings /v1/health to 200 on loopback, stops everything on SIGTERM and keeps data across restarts', async () => {
    const first = await start();
    const apiPort = first.ports.WAYMARK_PORT ?? 0;
    const ready = await until('health 200', async () => {
      const h = await health(apiPort);
      return h?.status === 200 ? h : null;
    }, first.output, 120_000, first.child);
    expect(ready.body).toMatchObject({ ok: true, services: { temporal: { ok: true }, mongodb: { ok: true }, smtp: { ok: true }, sms: { ok: true } } });
    // It printed where everything is.
    for (const port of Object.values(first.ports)) expect(first.output()).toContain(String(port));
    // Every port it opened is bound to loopback only.
    const ours = new Set(Object.values(first.ports).map(String));
    const exposed = listeners().filter((l) => ours.has(l.split(':').pop() ?? '') && !l.startsWith('127.0.0.1:') && !l.startsWith('[::ffff:127.0.0.1]:'));
    expect(exposed).toEqual([]);

    // Data written now must survive a restart.
    const adminKey = /Admin API key\s+(\S+)/.exec(first.output())?.[1] ?? '';
    const created = await fetch(`http://127.0.0.1:${apiPort}/v1/customers/restart-check`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'restart@example.test' }),
    });
    expect(created.status).toBeLessThan(300);

    expect(await stop(first.child)).toBe(0);
    for (const port of Object.values(first.ports)) expect(await isListening(port)).toBe(false);

    const second = await start(first.ports);
    try {
      await until('health 200 after restart', async () => (await health(apiPort))?.status === 200, second.output);
      const res = await fetch(`http://127.0.0.1:${apiPort}/v1/customers/restart-check`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ email: 'restart@example.test' });
    } finally {
      await stop(second.child);
    }
  }, 300_000);
});
