import { createWriteStream, mkdtempSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { startTestApp } from '../api/testHarness.ts';
import type { TestApp } from '../api/testHarness.ts';
import { runCli } from './waymark.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(() => app?.close());

it('big', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'big-')), 'big.jsonl');
  const out = createWriteStream(path);
  const bio = 'x'.repeat(300);
  for (let i = 0; i < 30_000; i++) {
    if (!out.write(JSON.stringify({ id: `b-${i}`, type: 'page_viewed', customerId: `c-${i % 2000}`, at: new Date(Date.now() - i * 60_000).toISOString(), properties: { path: '/x', bio } }) + '\n')) await once(out, 'drain');
  }
  out.end(); await finished(out);
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => { gc(); peak = Math.max(peak, process.memoryUsage().heapUsed); }, 200);
  const lines: string[] = [];
  const progress: string[] = [];
  const t = Date.now();
  const code = await runCli(['import-events', path, '--url', app.publicUrl, '--key', app.keys.ingest], { out: (l) => lines.push(l), err: (l) => lines.push('ERR ' + l), progress: (text) => progress.push(text) });
  clearInterval(sampler);
  console.log(code, Date.now() - t, 'ms', (statSync(path).size / 2 ** 20).toFixed(1), 'MiB file; heap +', ((peak - base) / 2 ** 20).toFixed(1), 'MiB', lines.join('\n'), progress.length, progress.filter((_, i) => i % 20 === 0), progress.slice(-3));
}, 600_000);
