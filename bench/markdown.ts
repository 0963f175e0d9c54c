/**
 * `npx tsx bench/markdown.ts [bench/results/<file>.json]`: the rows of a benchmark run (the
 * newest one by default) as a Markdown table, for the README's "Performance" section.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { formatRatio } from './stats.ts';

const Results = z.object({
  quick: z.boolean(),
  at: z.string(),
  seconds: z.number(),
  machine: z.object({ cpu: z.string(), nproc: z.number(), memGiB: z.number(), node: z.string(), load: z.string() }),
  rows: z.array(
    z.object({
      suite: z.string(),
      case: z.string(),
      value: z.number(),
      unit: z.string(),
      baseline: z.number().optional(),
      ratio: z.number().optional(),
      goal: z.string().optional(),
      ok: z.boolean().optional(),
    }),
  ),
});

const dir = fileURLToPath(new URL('./results/', import.meta.url));
const file =
  process.argv[2] ??
  join(
    dir,
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .at(-1) ?? '',
  );
const run = Results.parse(JSON.parse(readFileSync(file, 'utf8')));
const cell = (s: string) => s.replace(/\|/g, '\\|');
console.log(`${run.quick ? 'Quick run' : 'Full run'} of ${run.at.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(run.seconds / 60)} min; ${run.machine.cpu}, ${run.machine.nproc} cores, ${run.machine.memGiB} GiB, Node ${run.machine.node}.\n`);
console.log('| suite | case | Waymark | bare baseline | ratio | goal | met |');
console.log('|---|---|---:|---:|---:|---|---|');
for (const r of run.rows) {
  const value = `${r.value} ${r.unit}`.trim();
  const baseline = r.baseline === undefined ? '' : `${r.baseline} ${r.unit}`;
  const ratio = r.baseline === undefined || r.baseline <= 0 ? '' : formatRatio(r.value / r.baseline);
  console.log(`| ${r.suite} | ${cell(r.case)} | ${value} | ${baseline} | ${ratio} | ${cell(r.goal ?? '')} | ${r.ok === undefined ? '' : r.ok ? 'yes' : '**no**'} |`);
}
