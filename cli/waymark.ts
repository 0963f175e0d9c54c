/**
 * `waymark` — the command-line contract other tools and checks rely on:
 *
 *   npm run -s waymark -- compile <graph.json> [--json]
 *   npm run -s waymark -- simulate <graph.json> --customers N --days D [--seed S] [--json]
 *   npm run -s waymark -- import-events <events.jsonl> [--url URL] [--key KEY] [--json]
 *   npm run -s waymark -- backup <file.tar.gz> [--data-dir DIR]
 *   npm run -s waymark -- restore <file.tar.gz> [--data-dir DIR] [--force]
 *
 * `compile` exits 0 and prints a summary, or exits 1 and prints the errors
 * (`--json`: `{"ok":false,"errors":[{"nodeId":…,"code":…,"message":…}]}`).
 * `simulate` prints the forecast (`--json` keys include `perNode`, `messages`, `conversions`).
 * `import-events` streams a JSON-lines file to `POST /v1/events/import` of a running Waymark
 * (`--url`, default WAYMARK_PUBLIC_URL or http://WAYMARK_HOST:WAYMARK_PORT) with a progress bar
 * on stderr, and prints the import report (`--json`: the report as the API sent it). Its key is
 * `--key`, else WAYMARK_ADMIN_API_KEY, else the admin key `npm start` keeps in the data directory
 * (WAYMARK_DATA_DIR/admin-api-key). It exits 0 when every line was imported or a duplicate, 1
 * when lines were rejected or the import failed.
 * `backup` writes the embedded default's data (WAYMARK_DATA_DIR, or `--data-dir`, default
 * `.data`) to one file, also while `npm start` runs; `restore` puts it back into a data directory
 * while Waymark is stopped (an empty one, or `--force` to replace what is there). Both exit 1
 * with the reason when they cannot.
 * Usage mistakes exit 2.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { backup, BackupError, restore } from '../embedded/backup.ts';
import { builtinTemplateCatalogue } from '../store/builtins.ts';
import { defaultDataDir } from './config.ts';
import { lunarToSolar } from '../activities/lunar.ts';
import { compile, generateCohort, nodeName, nodeRegistry, simulate, summaryOf } from '../journey/index.ts';
import type { CompileError, JourneyDefinition, SimulationReport } from '../journey/index.ts';
import type { EventImportReport } from '../api/wire/events.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Shows a one-line progress display (on stderr); `done` is the last call. No progress is shown without it. */
  progress?(text: string, done: boolean): void;
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
  waymark simulate <graph.json> --customers N --days D [--seed S] [--json]
  waymark import-events <events.jsonl> [--url URL] [--key KEY] [--json]
  waymark backup <file.tar.gz> [--data-dir DIR]
  waymark restore <file.tar.gz> [--data-dir DIR] [--force]`;

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
    if (nodeRegistry[node.kind].category === 'action') actions[node.kind] = (actions[node.kind] ?? 0) + 1;
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
  const report = simulate(definition, generateCohort({ size: customers, seed, start }), { days, seed, start, calendar: lunarToSolar });
  const { timelines: _timelines, ...forecast } = report;
  if (json) io.out(JSON.stringify(forecast));
  else printReport(io, definition, report);
  return 0;
}

/** The API's base URL: `--url`, else where `npm start` listens (as `cli/config.ts` resolves it). */
function apiBase(url: string | undefined, env: NodeJS.ProcessEnv): string {
  const configured = url ?? (env['WAYMARK_PUBLIC_URL']?.trim() || `http://${env['WAYMARK_HOST']?.trim() || '127.0.0.1'}:${env['WAYMARK_PORT']?.trim() || '3000'}`);
  let parsed: URL;
  try {
    parsed = new URL(configured);
  } catch {
    throw new UsageError(`--url needs an http(s) URL such as http://127.0.0.1:3000, got ${JSON.stringify(configured)}.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--url needs an http(s) URL, got ${JSON.stringify(configured)}.`);
  return parsed.href.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The API key: `--key`, else WAYMARK_ADMIN_API_KEY, else the admin key in the data directory. Never creates one. */
function apiKey(key: string | undefined, env: NodeJS.ProcessEnv): string {
  if (key !== undefined && key.trim() !== '') return key.trim();
  const fromEnv = env['WAYMARK_ADMIN_API_KEY']?.trim();
  if (fromEnv) return fromEnv;
  const file = join(env['WAYMARK_DATA_DIR'] || defaultDataDir, 'admin-api-key');
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored !== '') return stored;
  } catch {
    // no key kept there: say what to do below
  }
  throw new UsageError(`No API key: pass --key, set WAYMARK_ADMIN_API_KEY, or start Waymark once (npm start keeps its admin key in ${file}).`);
}

const count = (n: number) => n.toLocaleString('en-US');

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Counts bytes and lines sent and redraws the progress line every 250 ms (the upload moves in
 * bursts: the server reads the next batch once it applied the previous one).
 */
function progressMeter(total: number, io: CliIo) {
  const started = Date.now();
  let sent = 0;
  let lines = 0;
  let note = '';
  let timer: NodeJS.Timeout | undefined;
  const draw = (done: boolean) => {
    const fraction = total === 0 ? 1 : Math.min(1, sent / total);
    const width = 24;
    const filled = Math.round(fraction * width);
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = Math.round(lines / seconds);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    io.progress?.(`[${bar}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${bytes(sent)} / ${bytes(total)}  ${count(rate)} events/s${done ? '' : note}`, done);
  };
  return {
    get sent(): number {
      return sent;
    },
    add(chunk: Buffer): void {
      if (timer === undefined && io.progress !== undefined) {
        timer = setInterval(() => draw(false), 250);
        timer.unref();
        draw(false);
      }
      sent += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    },
    /** Everything is sent: the server applies the last batch and recomputes the lifecycle. */
    allSent(): void {
      note = '  (applying the last batch, then the lifecycle recompute…)';
      draw(false);
    },
    /** The last frame; nothing when nothing was sent (the API was not reached). */
    end(): void {
      clearInterval(timer);
      if (timer !== undefined) draw(true);
    },
  };
}

/** Reads a problem document (or any text) from a failed answer. */
async function problemText(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string; errors?: { path: string; message: string }[] };
    const errors = (problem.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join('');
    return `${problem.title ?? response.statusText}${problem.detail ? `: ${problem.detail}` : ''}${errors}`;
  } catch {
    return text.slice(0, 500) || response.statusText;
  }
}

const listedErrors = 20;

function printImportReport(io: CliIo, file: string, report: EventImportReport): void {
  io.out(`Imported ${file}: ${count(report.lines)} lines → ${count(report.accepted)} accepted, ${count(report.duplicates)} duplicates, ${count(report.rejected)} rejected`);
  for (const error of report.errors.slice(0, listedErrors)) io.out(`  ✗ line ${error.line}${error.path ? ` (${error.path})` : ''}: ${error.message}`);
  const more = report.errors.length - listedErrors + (report.errorsTruncated ? 1 : 0);
  if (more > 0) io.out(`  … and ${report.errorsTruncated ? 'more' : count(more)} more problems (--json lists the first 1,000)`);
  if (report.unfinished > 0) io.out(`  ${count(report.unfinished)} events have stages left; the background sweeper finishes them`);
  const r = report.recompute;
  if (r === null) io.out('Lifecycle: nothing new, no recompute');
  else {
    io.out(
      `Lifecycle recompute: ${count(r.customers)} customers, ${count(r.updated)} updated, ${count(r.events)} change events, ` +
        `${count(r.started)} journeys started, ${count(r.signalled)} runs signalled`,
    );
  }
}

async function runImportEvents(io: CliIo, file: string, values: { url?: string; key?: string }, json: boolean, env: NodeJS.ProcessEnv): Promise<number> {
  const base = apiBase(values.url, env);
  const key = apiKey(values.key, env);
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    io.err(`Cannot read ${file}: ${reason}.`);
    return 1;
  }
  const meter = progressMeter(size, io);
  async function* chunks(): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(file)) {
      meter.add(chunk as Buffer);
      yield chunk as Buffer;
    }
    meter.allSent();
  }
  let response: Response;
  try {
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body: Readable.toWeb(Readable.from(chunks())) as ReadableStream<Uint8Array>,
      duplex: 'half',
    };
    response = await fetch(`${base}/v1/events/import`, init);
  } catch (error) {
    meter.end();
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    const code = error instanceof Error && error.cause instanceof Error && 'code' in error.cause ? String(error.cause.code) : '';
    if (meter.sent === 0 || ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) io.err(`Cannot reach the Waymark API at ${base}: ${cause}. Is it running (npm start)? --url points elsewhere.`);
    else io.err(`The upload to ${base} stopped after ${bytes(meter.sent)}: ${cause}. Events applied before that stay; importing the file again completes it.`);
    return 1;
  }
  meter.end();
  if (response.status !== 200) {
    const hint = response.status === 401 || response.status === 403 ? ' (use --key with an admin or ingest key)' : '';
    io.err(`The import failed: ${response.status} ${await problemText(response)}${hint}`);
    return 1;
  }
  const report = (await response.json()) as EventImportReport;
  if (json) io.out(JSON.stringify(report));
  else printImportReport(io, file, report);
  return report.rejected === 0 ? 0 : 1;
}

async function runBackup(io: CliIo, command: 'backup' | 'restore', file: string, dataDir: string, force: boolean): Promise<number> {
  try {
    if (command === 'backup') {
      const manifest = await backup(dataDir, file);
      io.out(`Backed up ${dataDir} to ${file}: ${manifest.files.join(', ')}`);
    } else {
      const manifest = await restore(file, dataDir, { force });
      io.out(`Restored ${file} (taken ${manifest.createdAt}) into ${dataDir}: ${manifest.files.join(', ')}. Start Waymark with WAYMARK_DATA_DIR=${dataDir}.`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    io.err(`Cannot ${command}: ${error.message}`);
    return 1;
  }
}

/** Runs the CLI with arguments (without `node` and the script) and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        customers: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        url: { type: 'string' },
        key: { type: 'string' },
        'data-dir': { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, file, ...rest] = positionals;
    if (values.help || command === undefined) {
      io.out(usage);
      return values.help ? 0 : 2;
    }
    if (command === 'import-events') {
      if (file === undefined || rest.length > 0) throw new UsageError('import-events takes exactly one JSON-lines file.');
      return await runImportEvents(io, file, values, values.json, env);
    }
    if (command === 'backup' || command === 'restore') {
      if (file === undefined || rest.length > 0) throw new UsageError(`${command} takes exactly one backup file.`);
      return await runBackup(io, command, file, values['data-dir'] || env['WAYMARK_DATA_DIR'] || defaultDataDir, values.force);
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

/** The progress line on stderr: redrawn in place on a terminal, a line every 5 s otherwise. */
function stderrProgress(): (text: string, done: boolean) => void {
  if (process.stderr.isTTY) return (text, done) => void process.stderr.write(`\r${text}\x1b[K${done ? '\n' : ''}`);
  let last = 0;
  return (text, done) => {
    const now = Date.now();
    if (done || now - last >= 5_000) {
      last = now;
      process.stderr.write(`${text}\n`);
    }
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runCli(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line), progress: stderrProgress() });
}
