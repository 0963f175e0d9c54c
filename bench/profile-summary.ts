/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`: where a V8 CPU profile (from
 * `npm run bench -- --cpu-prof`) spent its time — self time by package or folder of ours, and
 * the top functions. Given a `db-*.json` (from `--trace-db`), the time per MongoDB command.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Profile = z.object({
  nodes: z.array(z.object({ id: z.number(), callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }) })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Which package, or which folder of this repository, a script URL belongs to. */
function owner(url: string): string {
  if (url === '') return '(native / idle / gc)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg !== undefined) return pkg;
  if (url.startsWith('node:')) return 'node internals';
  const ours = /\/work\/[^/]+\/([^/]+)\//.exec(url)?.[1];
  return ours !== undefined ? `${ours}/` : url.replace(/^.*\//, '');
}

const DbTrace = z.array(z.object({ command: z.string(), count: z.number(), ms: z.number() }));

const [file, topArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: tsx bench/profile-summary.ts <file.cpuprofile | db-*.json> [top]');
if (file.endsWith('.json')) {
  const rows = DbTrace.parse(JSON.parse(readFileSync(file, 'utf8')));
  const total = rows.reduce((sum, r) => sum + r.ms, 0);
  console.log(`${file}: ${(total / 1000).toFixed(1)} s waiting on the database, ${rows.reduce((n, r) => n + r.count, 0)} commands\n`);
  for (const r of rows.slice(0, Number(topArg ?? 25))) {
    console.log(`  ${((100 * r.ms) / total).toFixed(1).padStart(5)} %  ${(r.ms / 1000).toFixed(1).padStart(7)} s  ${String(r.count).padStart(7)} ×  ${(r.ms / r.count).toFixed(1).padStart(7)} ms  ${r.command}`);
  }
  process.exit(0);
}
const profile = Profile.parse(JSON.parse(readFileSync(file, 'utf8')));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});
const byOwner = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, us] of self) {
  const frame = byId.get(id)?.callFrame;
  if (frame === undefined) continue;
  const who = frame.functionName === '(idle)' || frame.functionName === '(program)' || frame.functionName === '(garbage collector)' ? frame.functionName : owner(frame.url);
  byOwner.set(who, (byOwner.get(who) ?? 0) + us);
  const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(node_modules\/)?/, '')}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n\nself time by owner:`);
for (const [who, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${pct(us)}  ${who}`);
console.log('\ntop functions (self time):');
for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) console.log(`  ${pct(us)}  ${name}`);
