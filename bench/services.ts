import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFerretDb } from '../embedded/ferretdb.ts';
import type { Endpoints } from '../embedded/index.ts';
import { sandboxAccount, sandboxAuthToken } from '../embedded/index.ts';
import { freePort } from '../embedded/process.ts';
import { startSmsSandbox } from '../embedded/sms-sandbox.ts';
import { startTemporalDevServer } from '../embedded/temporal.ts';
import { waitForTemporal } from '../embedded/wait.ts';
import { onKill, startNode, track } from './child.ts';

/** One message the SMTP sink received. `at` is wall-clock ms (see stats.ts `wallMs`). */
export interface Receipt {
  to: string;
  at: number;
  bytes: number;
}

/** The parent's side of the SMTP sink: every receipt, and waiters for one recipient. */
export class SmtpSink {
  readonly receipts: Receipt[] = [];
  private readonly waiters = new Map<string, (receipt: Receipt) => void>();

  constructor(child: ChildProcess) {
    child.on('message', (message: unknown) => {
      if (!isReceipt(message)) return;
      this.receipts.push(message);
      const waiter = this.waiters.get(message.to);
      if (waiter !== undefined) {
        this.waiters.delete(message.to);
        waiter(message);
      }
    });
  }

  /** The next message to `to` (register before causing it); rejects after `timeoutMs`. */
  next(to: string, timeoutMs: number): Promise<Receipt> {
    const address = to.toLowerCase();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(address);
        reject(new Error(`no email to ${address} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiters.set(address, (receipt) => {
        clearTimeout(timer);
        resolve(receipt);
      });
    });
  }

  /** Receipts from index `from` on whose address ends with `suffix`. */
  since(from: number, suffix: string): Receipt[] {
    return this.receipts.slice(from).filter((r) => r.to.endsWith(suffix));
  }
}

function isReceipt(message: unknown): message is Receipt & { type: 'received' } {
  return typeof message === 'object' && message !== null && 'type' in message && message.type === 'received';
}

/** The services a benchmark run starts for itself, and where they are. */
export interface BenchServices {
  dataDir: string;
  endpoints: Endpoints;
  sink: SmtpSink;
  /** The services' processes, by name (for CPU accounting). */
  pids: Record<'Temporal' | 'FerretDB' | 'SMTP sink', number>;
  stop(): Promise<void>;
}

/**
 * Starts a Temporal dev server (in memory), FerretDB (SQLite in a temp dir), the SMS sandbox and
 * the SMTP sink on free 127.0.0.1 ports. `stop()` stops them all and removes the temp dir
 * (`BENCH_KEEP=1` keeps it: the logs of the worker, the API, Temporal and FerretDB are there).
 */
export async function startBenchServices(): Promise<BenchServices> {
  const dataDir = mkdtempSync(join(tmpdir(), 'waymark-bench-'));
  const temporalPort = await freePort();
  const [mongoPort, smtpPort, smsPort] = [await freePort(), await freePort(), await freePort()];
  const stops: Array<() => Promise<void>> = [];
  const keep = process.env['BENCH_KEEP'] === '1';
  const removeDir = () => {
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  };
  const forget = onKill(removeDir);
  try {
    // Started together; each one's stop is registered as soon as it is up.
    const started = <T extends { stop(): Promise<void> }>(service: T): T => {
      stops.push(() => service.stop());
      return service;
    };
    const sandboxTwilio = { ...sandboxAccount, authToken: sandboxAuthToken(dataDir) };
    const [temporal, mongo, sms, sinkProcess] = await Promise.all([
      startTemporalDevServer({ port: temporalPort, logFile: join(dataDir, 'temporal.log') }).then((s) => (track(s.child), started(s))),
      startFerretDb({ port: mongoPort, dataDir: join(dataDir, 'ferretdb'), logFile: join(dataDir, 'ferretdb.log') }).then((s) => (track(s.child), started(s))),
      startSmsSandbox({ port: smsPort, ...sandboxTwilio }).then(started),
      startNode({
        name: 'SMTP sink',
        entry: fileURLToPath(new URL('./procs/smtp-sink.ts', import.meta.url)),
        env: { BENCH_SMTP_PORT: String(smtpPort) },
        logFile: join(dataDir, 'smtp-sink.log'),
        ready: /listening/,
        ipc: true,
      }).then(started),
    ]);
    await waitForTemporal(temporal.address);
    const [temporalPid, mongoPid] = [temporal.child.pid, mongo.child.pid];
    if (temporalPid === undefined || mongoPid === undefined) throw new Error('a service has no pid');
    return {
      dataDir,
      endpoints: {
        temporal: { address: temporal.address, namespace: 'default', embedded: false },
        mongo: { url: mongo.url, embedded: false },
        smtp: { url: `smtp://127.0.0.1:${smtpPort}`, embedded: false },
        twilio: { ...sandboxTwilio, baseUrl: sms.baseUrl, embedded: false },
      },
      sink: new SmtpSink(sinkProcess.child),
      pids: { Temporal: temporalPid, FerretDB: mongoPid, 'SMTP sink': sinkProcess.pid },
      stop: async () => {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
        forget();
        removeDir();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    forget();
    removeDir();
    throw error;
  }
}
