import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './waymark.ts';

function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'waymark-cli-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const winBack = new URL('../templates/journeys/win-back.json', import.meta.url).pathname;

describe('waymark compile', () => {
  it('exits 0 with a summary for a built-in journey', () => {
    const result = run('compile', winBack);
    expect(result.code).toBe(0);
    expect(result.out).toContain('compiles: “Win-back” (win-back)');
    expect(result.out).toContain('goal: order_completed within 30 days');
  });

  it('exits 1 with the errors as JSON, each naming the step', () => {
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
    const result = run('compile', broken, '--json');
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

  it('names the file, and the line for broken JSON', () => {
    const missing = run('compile', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`Cannot read ${join(dir, 'nope.json')}: no such file.`);
    const bad = run('compile', file('bad.json', '{\n  "schemaVersion": 1,\n  "nodes": [,]\n}'), '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toEqual({ ok: false, errors: [expect.objectContaining({ code: 'INVALID_JSON', message: expect.stringMatching(/bad\.json is not valid JSON at line 3, column 13, in nodes\[0\]/), path: 'nodes[0]' })] });
  });

  it('points at the JSON path of an invalid field', () => {
    const g = JSON.parse(JSON.stringify({ schemaVersion: 1, id: 'x', name: 'X', nodes: [{ id: 'start', kind: 'api', config: {}, position: { x: 0 } }], edges: [], settings: {} }));
    const result = run('compile', file('field.json', JSON.stringify(g)));
    expect(result.code).toBe(1);
    expect(result.err).toContain('at nodes[0].position.y');
  });
});

describe('waymark simulate', () => {
  it('prints the forecast as JSON with per-step counts, messages and conversions', () => {
    const result = run('simulate', winBack, '--customers', '300', '--days', '30', '--seed', '4', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['perNode', 'messages', 'conversions']));
    expect(report).toMatchObject({ customers: 300, days: 30, seed: 4 });
    expect(run('simulate', winBack, '--customers', '300', '--days', '30', '--seed', '4', '--json').out).toBe(result.out);
  });

  it('rejects missing or silly numbers with exit code 2', () => {
    expect(run('simulate', winBack, '--days', '30').code).toBe(2);
    expect(run('simulate', winBack, '--customers', '0', '--days', '30').err).toContain('--customers needs a whole number above 0, got "0"');
    expect(run('simulate', winBack, '--customers', '-5', '--days', '30').code).toBe(2);
    expect(run('launch', winBack).code).toBe(2);
  });
});
