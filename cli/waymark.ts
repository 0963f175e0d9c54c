/**
 * `waymark` — the command-line contract other tools and checks rely on:
 *
 *   npm run -s waymark -- compile <graph.json> [--json]
 *   npm run -s waymark -- simulate <graph.json> --customers N --days D [--seed S] [--json]
 *
 * `compile` exits 0 and prints a summary, or exits 1 and prints the errors
 * (`--json`: `{"ok":false,"errors":[{"nodeId":…,"code":…,"message":…}]}`).
 * `simulate` prints the forecast (`--json` keys include `perNode`, `messages`, `conversions`).
 * Usage mistakes exit 2.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { builtinTemplateCatalogue } from '../store/builtins.ts';
import { compile, generateCohort, nodeName, simulate, summaryOf } from '../journey/index.ts';
import type { CompileError, JourneyDefinition, SimulationReport } from '../journey/index.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** A problem before compiling: the file is missing or not JSON. Same shape as a compile error. */
interface FileProblem {
  nodeId: null;
  code: 'FILE_UNREADABLE' | 'INVALID_JSON';
  message: string;
  path?: string;
}

const usage = `Usage:
  waymark compile <graph.json> [--json]
  waymark simulate <graph.json> --customers N --days D [--seed S] [--json]`;

class UsageError extends Error {}

/** "line 3, column 14" for an offset in the text. */
function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  return `line ${before.split('\n').length}, column ${position - before.lastIndexOf('\n')}`;
}

/**
 * Finds where JSON.parse gave up, and the JSON path there (`nodes[2].config`), because V8's
 * messages do not always carry a position. Only runs on text JSON.parse already rejected.
 */
function locateSyntaxError(text: string): { offset: number; path: string } {
  let i = 0;
  const path: (string | number)[] = [];
  const fail = (): never => {
    throw new RangeError('syntax');
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : text.charCodeAt(i) < 0x20 ? fail() : 1;
    if (i++ >= text.length) fail();
    return String(JSON.parse(text.slice(start, i)));
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      const object = c === '{';
      i++;
      space();
      if (text[i] === (object ? '}' : ']')) return void i++;
      for (let index = 0; ; index++) {
        space();
        if (object) {
          if (text[i] !== '"') fail();
          path.push(string());
          space();
          if (text[i] !== ':') fail();
          i++;
        } else path.push(index);
        value();
        path.pop();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === (object ? '}' : ']')) return void i++;
        else fail();
      }
    }
    if (c === '"') return void string();
    const token = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i))?.[0];
    if (!token) fail();
    i += token?.length ?? 0;
  };
  try {
    value();
    space();
    if (i < text.length) fail();
  } catch {
    // fall through: `i` and `path` say where
  }
  const where = path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
  return { offset: Math.min(i, text.length), path: where || '(top level)' };
}

function readGraph(file: string): { ok: true; value: unknown } | { ok: false; problem: FileProblem } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    return { ok: false, problem: { nodeId: null, code: 'FILE_UNREADABLE', message: `Cannot read ${file}: ${reason}.` } };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const at = locateSyntaxError(text);
    return {
      ok: false,
      problem: { nodeId: null, code: 'INVALID_JSON', message: `${file} is not valid JSON at ${lineColumn(text, at.offset)}, in ${at.path}: ${detail}`, path: at.path },
    };
  }
}

function describeError(error: CompileError | FileProblem): string {
  const where = [
    error.nodeId === null ? null : `step ${error.nodeId}`,
    'handle' in error && error.handle ? `exit ${error.handle}` : null,
    'edge' in error && error.edge ? `edge ${error.edge}` : null,
    error.path ? `at ${error.path}` : null,
  ].filter((part) => part !== null);
  return `  ✗ [${error.code}] ${error.message}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
}

function printErrors(io: CliIo, file: string, errors: readonly (CompileError | FileProblem)[], json: boolean): number {
  if (json) {
    io.out(JSON.stringify({ ok: false, errors }));
  } else {
    io.err(`${file} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:`);
    for (const error of errors) io.err(describeError(error));
  }
  return 1;
}

function summary(definition: JourneyDefinition) {
  const nodes = Object.values(definition.nodes);
  const entry = definition.nodes[definition.entryNodeId];
  const actions: Record<string, number> = {};
  for (const node of nodes) {
    if (['email', 'sms', 'coupon', 'task', 'update', 'webhook'].includes(node.kind)) actions[node.kind] = (actions[node.kind] ?? 0) + 1;
  }
  const s = definition.settings;
  return {
    id: definition.id,
    name: definition.name,
    steps: nodes.length,
    trigger: entry ? summaryOf(entry) : definition.entryNodeId,
    goal: s.goal ? `${s.goal.eventType} within ${s.goal.windowDays} days` : null,
    quietHours: s.quietHours ? `${s.quietHours.start}–${s.quietHours.end}` : null,
    frequencyCaps: s.frequencyCaps.map((c) => `${c.channel} ≤ ${c.max} per ${c.periodHours}h`),
    actions,
  };
}

function compileFile(io: CliIo, file: string, json: boolean): { code: number; definition?: JourneyDefinition } {
  const graph = readGraph(file);
  if (!graph.ok) return { code: printErrors(io, file, [graph.problem], json) };
  const result = compile(graph.value, { templates: builtinTemplateCatalogue() });
  if (!result.ok) return { code: printErrors(io, file, result.errors, json) };
  return { code: 0, definition: result.value };
}

function runCompile(io: CliIo, file: string, json: boolean): number {
  const { code, definition } = compileFile(io, file, json);
  if (!definition) return code;
  const s = summary(definition);
  if (json) {
    io.out(JSON.stringify({ ok: true, summary: s, definition }));
    return 0;
  }
  io.out(`✓ ${file} compiles: “${s.name}” (${s.id})`);
  io.out(`  ${s.steps} steps · ${s.trigger}`);
  const extras = [s.goal && `goal: ${s.goal}`, s.quietHours && `quiet hours ${s.quietHours}`, s.frequencyCaps.length > 0 && `caps: ${s.frequencyCaps.join(', ')}`];
  if (extras.some(Boolean)) io.out(`  ${extras.filter(Boolean).join(' · ')}`);
  io.out(`  actions: ${Object.entries(s.actions).map(([kind, n]) => `${kind} ×${n}`).join(', ') || 'none'}`);
  return 0;
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;

function printReport(io: CliIo, definition: JourneyDefinition, report: SimulationReport): void {
  io.out(`Forecast for “${definition.name}”: ${report.customers} customers, ${report.days} days, seed ${report.seed}`);
  io.out(`  entered ${report.entered} · converted ${report.conversions.converted} (${pct(report.conversions.rate)}) · still running ${report.stillRunning}`);
  io.out('');
  io.out(`  ${'step'.padEnd(40)} ${'entered'.padStart(8)} ${'exited'.padStart(8)}  exits`);
  for (const node of Object.values(definition.nodes)) {
    const stats = report.perNode[node.id];
    const exits = Object.entries(stats?.exits ?? {}).map(([exit, n]) => `${exit} ${n}`).join(', ');
    io.out(`  ${nodeName(node).slice(0, 40).padEnd(40)} ${String(stats?.entered ?? 0).padStart(8)} ${String(stats?.exited ?? 0).padStart(8)}  ${exits}`);
  }
  io.out('');
  for (const channel of ['email', 'sms'] as const) {
    const m = report.messages[channel];
    io.out(`  ${channel.padEnd(5)} sent ${m.sent}, failed ${m.failed}, deferred ${m.deferred}, opened ${m.opened}, clicked ${m.clicked}`);
  }
  io.out(`  coupons ${report.coupons.issued} · CS tasks ${report.tasks.created} · profile updates ${report.updates} · webhooks ${report.webhooks}`);
  for (const arm of report.conversions.arms) {
    io.out(`  split ${arm.splitNodeId} arm ${arm.arm}${arm.holdout ? ' (holdout)' : ''}: ${arm.converted}/${arm.entered} converted (${pct(arm.rate)})`);
  }
}

function positiveInt(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0 || (name !== '--seed' && n === 0)) {
    throw new UsageError(`${name} needs a whole number${name === '--seed' ? '' : ' above 0'}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}.`);
  }
  return n;
}

function runSimulate(io: CliIo, file: string, values: { customers?: string; days?: string; seed?: string }, json: boolean): number {
  const customers = positiveInt(values.customers, '--customers');
  const days = positiveInt(values.days, '--days');
  const seed = positiveInt(values.seed, '--seed', 1);
  const { code, definition } = compileFile(io, file, json);
  if (!definition) return code;
  const start = Date.UTC(2025, 0, 6);
  const report = simulate(definition, generateCohort({ size: customers, seed, start }), { days, seed, start });
  const { timelines: _timelines, ...forecast } = report;
  if (json) io.out(JSON.stringify(forecast));
  else printReport(io, definition, report);
  return 0;
}

/** Runs the CLI with arguments (without `node` and the script) and returns the exit code. */
export function runCli(argv: readonly string[], io: CliIo): number {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        customers: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, file, ...rest] = positionals;
    if (values.help || command === undefined) {
      io.out(usage);
      return values.help ? 0 : 2;
    }
    if (file === undefined || rest.length > 0) throw new UsageError(`${command} takes exactly one graph file.`);
    if (command === 'compile') return runCompile(io, file, values.json);
    if (command === 'simulate') return runSimulate(io, file, values, values.json);
    throw new UsageError(`Unknown command ${JSON.stringify(command)}.`);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError && 'code' in error)) throw error;
    io.err(`${error.message}\n${usage}`);
    return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = runCli(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) });
}
