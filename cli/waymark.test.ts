import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../api/testHarness.ts';
import type { TestApp } from '../api/testHarness.ts';
import { runCli } from './waymark.ts';

/** Runs the CLI; `env` replaces the process environment (the API URL and key lookup read it). */
async function runWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: Array<{ text: string; done: boolean }> = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), progress: (text, done) => progress.push({ text, done }) }, env);
  return { code, out: out.join('\n'), err: err.join('\n'), progress };
}

const run = (...args: string[]) => runWith({}, ...args);

const dir = mkdtempSync(join(tmpdir(), 'waymark-cli-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const winBack = new URL('../templates/journeys/win-back.json', import.meta.url).pathname;

describe('waymark compile', () => {
  it('exits 0 with a summary for a built-in journey', async () => {
    const result = await run('compile', winBack);
    expect(result.code).toBe(0);
    expect(result.out).toContain('compiles: “Win-back” (win-back)');
    expect(result.out).toContain('goal: order_completed within 30 days');
  });

  it('exits 1 with the errors as JSON, each naming the step', async () => {
    const broken = file(
      'broken.json',
      JSON.stringify({
        schemaVersion: 1,
        id: 'broken',
        name: 'Broken',
        nodes: [
          { id: 'start', kind: 'api', config: {}, position: { x: 0, y: 0 } },
          { id: 'mail', kind: 'email', label: 'Send win-back email', config: { templateId: 'no-such-template' }, position: { x: 0, y: 0 } },
        ],
        edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'mail' }],
        settings: {},
      }),
    );
    const result = await run('compile', broken, '--json');
    expect(result.code).toBe(1);
    const parsed: unknown = JSON.parse(result.out);
    expect(parsed).toEqual({
      ok: false,
      errors: [
        expect.objectContaining({ nodeId: 'mail', code: 'EXIT_NOT_CONNECTED', message: '“Send win-back email” has no next step: connect its “sent” exit.' }),
        expect.objectContaining({ nodeId: 'mail', code: 'TEMPLATE_NOT_FOUND' }),
      ],
    });
  });

  it('names the file, and the line for broken JSON', async () => {
    const missing = await run('compile', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`Cannot read ${join(dir, 'nope.json')}: no such file.`);
    const bad = await run('compile', file('bad.json', '{\n  "schemaVersion": 1,\n  "nodes": [,]\n}'), '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toEqual({ ok: false, errors: [expect.objectContaining({ code: 'INVALID_JSON', message: expect.stringMatching(/bad\.json is not valid JSON at line 3, column 13, in nodes\[0\]/), path: 'nodes[0]' })] });
  });

  it('points at the JSON path of an invalid field', async () => {
    const g = JSON.parse(JSON.stringify({ schemaVersion: 1, id: 'x', name: 'X', nodes: [{ id: 'start', kind: 'api', config: {}, position: { x: 0 } }], edges: [], settings: {} }));
    const result = await run('compile', file('field.json', JSON.stringify(g)));
    expect(result.code).toBe(1);
    expect(result.err).toContain('at nodes[0].position.y');
  });
});

describe('waymark simulate', () => {
  it('prints the forecast as JSON with per-step counts, messages and conversions', async () => {
    const result = await run('simulate', winBack, '--customers', '300', '--days', '30', '--seed', '4', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['perNode', 'messages', 'conversions']));
    expect(report).toMatchObject({ customers: 300, days: 30, seed: 4 });
    expect((await run('simulate', winBack, '--customers', '300', '--days', '30', '--seed', '4', '--json')).out).toBe(result.out);
  });

  it('rejects missing or silly numbers with exit code 2', async () => {
    expect((await run('simulate', winBack, '--days', '30')).code).toBe(2);
    expect((await run('simulate', winBack, '--customers', '0', '--days', '30')).err).toContain('--customers needs a whole number above 0, got "0"');
    expect((await run('simulate', winBack, '--customers', '-5', '--days', '30')).code).toBe(2);
    expect((await run('launch', winBack)).code).toBe(2);
  });
});

describe('waymark import-events', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const day = 86_400_000;
  /** 300 orders of 30 customers, one every day, each `amount` 10; `bad` lines replaced by broken JSON. */
  const eventsFile = (name: string, bad: readonly number[] = []) =>
    file(
      name,
      Array.from({ length: 300 }, (_, i) =>
        bad.includes(i + 1)
          ? '{"type": "order_completed"'
          : JSON.stringify({ id: `${name}-${i}`, type: 'order_completed', customerId: `${name}-c${i % 30}`, at: new Date(Date.now() - (i + 1) * day).toISOString(), properties: { amount: 10 } }),
      ).join('\n') + '\n',
    );

  it('streams the file with a progress bar, prints the report, and finds a second import all duplicates', async () => {
    const path = eventsFile('cli-orders');
    const first = await runWith({}, 'import-events', path, '--url', app.publicUrl, '--key', app.keys.ingest);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain(`Imported ${path}: 300 lines → 300 accepted, 0 duplicates, 0 rejected`);
    expect(first.out).toMatch(/Lifecycle recompute: \d+ customers/);
    const last = first.progress.at(-1);
    expect(last?.done).toBe(true);
    expect(last?.text).toMatch(/^\[█{24}\] 100\.0% {2}\d+\.\d KiB \/ \d+\.\d KiB {2}[\d,]+ events\/s$/);
    const profile = (await app.call('GET', '/customers/cli-orders-c0')).json as { computed: { orderCount: number; totalSpend: number } };
    expect(profile.computed).toMatchObject({ orderCount: 10, totalSpend: 100 });

    const again = await runWith({}, 'import-events', path, '--url', `${app.publicUrl}/v1/`, '--key', app.keys.ingest, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ lines: 300, accepted: 0, duplicates: 300, rejected: 0, recompute: null });
  });

  it('uses the admin key npm start keeps in the data directory, and exits 1 listing rejected lines', async () => {
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'admin-api-key'), `${app.keys.admin}\n`);
    const result = await runWith({ WAYMARK_DATA_DIR: dataDir, WAYMARK_PUBLIC_URL: app.publicUrl }, 'import-events', eventsFile('cli-bad', [7, 150]));
    expect(result.code).toBe(1);
    expect(result.out).toContain('300 lines → 298 accepted, 0 duplicates, 2 rejected');
    expect(result.out).toContain('✗ line 7: not valid JSON');
    expect(result.out).toContain('✗ line 150: not valid JSON');
  });

  it('explains a missing key, a refused key, an unreachable API and a missing file', async () => {
    const path = eventsFile('cli-errors');
    const noKey = await runWith({ WAYMARK_DATA_DIR: join(dir, 'empty') }, 'import-events', path, '--url', app.publicUrl);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain('No API key: pass --key, set WAYMARK_ADMIN_API_KEY');
    const refused = await runWith({}, 'import-events', path, '--url', app.publicUrl, '--key', app.keys.viewer);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/The import failed: 403 Forbidden.*use --key with an admin or ingest key/s);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await runWith({}, 'import-events', path, '--url', `http://127.0.0.1:${port}`, '--key', 'wm_x');
    expect(down.code).toBe(1);
    expect(down.err).toContain(`Cannot reach the Waymark API at http://127.0.0.1:${port}: connect ECONNREFUSED`);
    expect(down.progress).toEqual([]);
    const missing = await runWith({}, 'import-events', join(dir, 'nope.jsonl'), '--url', app.publicUrl, '--key', app.keys.ingest);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no such file');
    expect((await run('import-events')).code).toBe(2);
    expect(await app.db.collection('events').countDocuments({ customerId: /^cli-errors-/ })).toBe(0);
  });
});

describe('waymark backup and restore', () => {
  it('explain what is wrong instead of writing or restoring anything', async () => {
    const empty = join(dir, 'no-data');
    mkdirSync(empty);
    const nothing = await run('backup', join(dir, 'never.tar.gz'), '--data-dir', empty);
    expect(nothing.code).toBe(1);
    expect(nothing.err).toMatch(/holds no embedded data .*nothing to back up/);

    const notABackup = await run('restore', file('not-a-backup.tar.gz', 'hello'), '--data-dir', join(dir, 'target'));
    expect(notABackup.code).toBe(1);
    expect(notABackup.err).toMatch(/is not a Waymark backup/);

    const inUse = join(dir, 'in-use');
    mkdirSync(join(inUse, 'ferretdb'), { recursive: true });
    const occupied = await run('restore', file('any.tar.gz', ''), '--data-dir', inUse);
    expect(occupied.code).toBe(1);
    expect(occupied.err).toMatch(/already holds data .*--force/);

    expect((await run('backup')).code).toBe(2);
  });
});
