/**
 * Benchmarks of the pure core: the simulator on the built-in win-back journey and the compiler on
 * a generated 1,000-step journey. Figures, not tests: `npm run bench` prints them.
 */
import { compile, generateCohort, JourneyGraph, simulate } from '../journey/index.ts';
import type { CompileContext, GraphEdge, GraphNode, JourneyDefinition } from '../journey/index.ts';
import { builtinTemplateCatalogue, loadBuiltinJourneys } from '../store/builtins.ts';

export interface BenchRow {
  case: string;
  value: number;
  unit: string;
  baseline?: number;
  goal?: string;
  ok?: boolean;
}

const START = Date.UTC(2025, 0, 6);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function time(run: () => void): number {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * A journey of `size` steps: a trigger, then blocks of wait → branch → email | sms that chain
 * into each other, ending in an exit. Every block references templates, attributes and segments,
 * so the compiler's reference checks run on every step.
 */
export function generatedJourney(size: number): JourneyGraph {
  const nodes: GraphNode[] = [{ id: 'trigger', kind: 'segment', config: { segment: 'dormant-90d' }, position: { x: 0, y: 0 } }];
  const edges: GraphEdge[] = [];
  const link = (source: string, sourceHandle: string, target: string) => edges.push({ id: `${source}:${sourceHandle}`, source, sourceHandle, target });
  let previous: [string, string][] = [['trigger', 'next']];
  for (let block = 0; nodes.length + 4 < size; block++) {
    const y = (block + 1) * 200;
    const [wait, branch, email, sms] = ['wait', 'branch', 'email', 'sms'].map((k) => `${k}-${block}`) as [string, string, string, string];
    nodes.push(
      { id: wait, kind: 'wait', config: { mode: 'duration', duration: { amount: 1, unit: 'days' } }, position: { x: 0, y } },
      {
        id: branch,
        kind: 'branch',
        config: {
          conditions: [
            { id: 'vip', label: 'VIP', condition: { type: 'all', conditions: [{ type: 'attribute', attribute: 'plan', op: 'eq', value: 'gold' }, { type: 'segment', segment: 'high-value', member: true }] } },
          ],
        },
        position: { x: 0, y: y + 50 },
      },
      { id: email, kind: 'email', config: { templateId: 'winback-offer' }, position: { x: -100, y: y + 100 } },
      { id: sms, kind: 'sms', config: { templateId: 'winback-reminder' }, position: { x: 100, y: y + 100 } },
    );
    for (const [source, handle] of previous) link(source, handle, wait);
    link(wait, 'next', branch);
    link(branch, 'vip', email);
    link(branch, 'else', sms);
    previous = [[email, 'sent'], [sms, 'sent']];
  }
  while (nodes.length < size - 1) {
    const id = `tag-${nodes.length}`;
    nodes.push({ id, kind: 'update', config: { operations: [{ op: 'addTag', tag: 'bench' }] }, position: { x: 0, y: nodes.length * 10 } });
    for (const [source, handle] of previous) link(source, handle, id);
    previous = [[id, 'updated']];
  }
  nodes.push({ id: 'done', kind: 'exit', config: {}, position: { x: 0, y: nodes.length * 10 } });
  for (const [source, handle] of previous) link(source, handle, 'done');
  return { schemaVersion: 1, id: 'bench', name: 'Generated benchmark journey', nodes, edges, settings: JourneyGraph.shape.settings.parse({}) };
}

function winBack(context: CompileContext): JourneyDefinition {
  const graph = loadBuiltinJourneys().find((g) => g.id === 'win-back');
  const result = compile(graph, context);
  if (!result.ok) throw new Error(`win-back does not compile: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.value;
}

function simulateRow(definition: JourneyDefinition, customers: number, days: number, goalMs: number): BenchRow {
  let cohortMs = 0;
  const ms = time(() => {
    const t0 = performance.now();
    const cohort = generateCohort({ size: customers, seed: 42, start: START });
    cohortMs = performance.now() - t0;
    simulate(definition, cohort, { days, seed: 42, start: START });
  });
  return {
    case: `simulate win-back: ${customers.toLocaleString('en')} customers × ${days} days (incl. cohort)`,
    value: round(ms),
    unit: 'ms',
    baseline: round(cohortMs),
    goal: `< ${goalMs} ms`,
    ok: ms < goalMs,
  };
}

/** Runs the core benchmarks; `quick` skips the 100,000-customer case and runs fewer compile rounds. */
export async function benchCore(opts: { quick: boolean }): Promise<BenchRow[]> {
  const context: CompileContext = {
    templates: builtinTemplateCatalogue(),
    customerAttributes: { plan: 'string' },
    segments: ['dormant-90d', 'high-value'],
    knownEvents: ['order_completed'],
  };
  const rows: BenchRow[] = [];
  const definition = winBack(context);
  rows.push(simulateRow(definition, 10_000, 90, 5000));
  if (!opts.quick) rows.push(simulateRow(definition, 100_000, 90, 50_000));

  const graph: unknown = JSON.parse(JSON.stringify(generatedJourney(1000)));
  let cold: ReturnType<typeof compile> | undefined;
  const coldMs = time(() => (cold = compile(graph, context)));
  if (!cold?.ok) throw new Error('the generated journey does not compile');
  rows.push({ case: 'compile 1,000-step journey, first call (cold JIT)', value: round(coldMs), unit: 'ms' });
  // Warm up first: the figure that matters is the editor recompiling on every change.
  const rounds = opts.quick ? 11 : 31;
  for (let i = 0; i < rounds; i++) compile(graph, context);
  const compileMs = median(Array.from({ length: rounds }, () => time(() => compile(graph, context))));
  // The bare baseline: validating the same JSON against the graph schema alone, with no checks.
  const parseMs = median(Array.from({ length: rounds }, () => time(() => JourneyGraph.safeParse(graph))));
  rows.push({ case: `compile 1,000-step journey (median of ${rounds}, warm)`, value: round(compileMs), unit: 'ms', baseline: round(parseMs), goal: '< 50 ms', ok: compileMs < 50 });
  return rows;
}
