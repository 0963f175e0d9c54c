import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from './testHarness.ts';
import type { TestApp } from './testHarness.ts';

/**
 * 100,000 rows through the HTTP import with bounded memory. The file is written to disk as
 * a stream and uploaded as a stream; the heap is sampled throughout. Every 10,000th row is
 * invalid, so the report must name exactly those lines.
 */

const rows = 100_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const bio = 'Prefers weekend deliveries; asked about the loyalty programme twice; likes hiking gear and rain jackets. '.repeat(2);

let app: TestApp;
let dir: string;
beforeAll(async () => {
  app = await startTestApp();
  dir = mkdtempSync(join(tmpdir(), 'waymark-import-'));
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function writeCsv(path: string): Promise<number[]> {
  const out = createWriteStream(path);
  const bad: number[] = [];
  out.write('id,email,name,locale,timezone,consent.email,consent.sms,tags,attributes.bio,attributes.score\n');
  for (let i = 1; i <= rows; i++) {
    const line = i + 1; // the header is line 1
    const invalid = i % 10_000 === 0;
    if (invalid) bad.push(line);
    const email = invalid ? 'not-an-email' : `customer${i}@example.com`;
    if (!out.write(`bulk-${i},${email},Customer ${i},en,Europe/Berlin,yes,no,imported;wave-${i % 7},"${bio}",${i % 100}\n`)) {
      await once(out, 'drain');
    }
  }
  out.end();
  await finished(out);
  return bad;
}

describe('a 100,000-row CSV import', () => {
  it('completes with bounded memory and reports the bad lines', async () => {
    const file = join(dir, 'customers.csv');
    const badLines = await writeCsv(file);
    const bytes = statSync(file).size;

    gc();
    const baseline = process.memoryUsage();
    let peakLive = baseline.heapUsed;
    let peakRss = baseline.rss;
    // A full collection before each sample measures what is retained, not garbage V8 has
    // not collected yet: the number that would grow if rows were kept.
    const sampler = setInterval(() => {
      gc();
      const usage = process.memoryUsage();
      peakLive = Math.max(peakLive, usage.heapUsed);
      peakRss = Math.max(peakRss, usage.rss);
    }, 200);
    const started = Date.now();
    const response = await app.call('POST', '/customers/import', {
      as: 'ingest',
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      headers: { 'content-type': 'text/csv' },
    });
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    console.log(
      `import of ${rows} rows (${mib(bytes)} MiB) took ${seconds.toFixed(1)} s; live heap peak ${mib(peakLive)} MiB ` +
        `(+${mib(peakLive - baseline.heapUsed)} MiB), RSS peak ${mib(peakRss)} MiB (+${mib(peakRss - baseline.rss)} MiB)`,
    );

    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({ accepted: rows - badLines.length, rejected: badLines.length, created: rows - badLines.length, updated: 0 });
    expect((response.json as { errors: { line: number }[] }).errors.map((e) => e.line)).toEqual(badLines);
    expect(await app.db.collection('customers').countDocuments({ tags: 'imported' })).toBe(rows - badLines.length);
    // Holding the file would retain more than its 29 MiB; streaming retains about one batch.
    expect(peakLive - baseline.heapUsed).toBeLessThan(32 * 2 ** 20);
  }, 600_000);
});
