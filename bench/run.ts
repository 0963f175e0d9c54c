/**
 * `npm run bench [-- --quick]`: runs the benchmark suites, prints a table and writes the rows
 * as JSON to bench/results/<timestamp>.json (git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCore } from './core.ts';
import type { BenchRow } from './core.ts';

const suites: { name: string; run(opts: { quick: boolean }): Promise<BenchRow[]> }[] = [{ name: 'core', run: benchCore }];

function table(rows: readonly (BenchRow & { suite: string })[]): string {
  const header = ['suite', 'case', 'value', 'baseline', 'goal', 'ok'];
  const body = rows.map((r) => [r.suite, r.case, `${r.value} ${r.unit}`, r.baseline === undefined ? '' : `${r.baseline} ${r.unit}`, r.goal ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const rows: (BenchRow & { suite: string })[] = [];
  for (const suite of suites) {
    for (const row of await suite.run({ quick })) rows.push({ suite: suite.name, ...row });
  }
  console.log(table(rows));
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ quick, node: process.version, at: new Date().toISOString(), rows }, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
  if (rows.some((r) => r.ok === false)) process.exitCode = 1;
}

await main();
