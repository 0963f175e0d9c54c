import { countedEvents } from '../condition.ts';
import type { JourneyDefinition } from '../definition.ts';
import type { GraphEdge, JourneyGraph } from '../graph.ts';
import { checkNode, countedEventsOf, nodeName } from '../nodes/registry.ts';
import type { GraphNode } from '../nodes/registry.ts';
import type { Result } from '../result.ts';
import { fail, ok } from '../result.ts';
import type { JourneySettings } from '../settings.ts';
import type { CompileContext, CompileError } from './errors.ts';
import { parseGraph } from './parse.ts';
import { createChecker } from './references.ts';
import { checkStructure } from './structure.ts';

function checkSettings(settings: JourneySettings, context: CompileContext, errors: CompileError[]): void {
  const at = (path: string) => createChecker(errors, context, settings.defaultLocale, { nodeId: null, name: () => 'This journey', pathPrefix: `settings.${path}` });
  at('timezone').checkTimezone(settings.timezone, '');
  if (settings.goal) at('goal').checkEvent(settings.goal.eventType, 'eventType');
  if (settings.audienceFilter) at('audienceFilter').checkCondition(settings.audienceFilter, '');
}

/**
 * Checks a journey graph (untrusted JSON or a `JourneyGraph`) and compiles it into the
 * definition runs execute. Errors name the step, exit or edge at fault in a marketer's words.
 *
 * @example
 * const result = compile(graph, { templates: builtinTemplateCatalogue() });
 * if (!result.ok) for (const e of result.errors) console.log(e.nodeId, e.code, e.message);
 */
export function compile(graph: unknown, context: CompileContext = {}): Result<JourneyDefinition, CompileError[]> {
  const errors: CompileError[] = [];
  const parsed = parseGraph(graph, errors);
  if (!parsed) return fail(errors);
  const { wiring, entry, exits } = checkStructure(parsed.nodes, parsed.edges, errors);
  const defaultLocale = parsed.settings?.defaultLocale ?? 'en';
  for (const item of parsed.nodes) {
    if (!item.node) continue;
    const checker = createChecker(errors, context, defaultLocale, { nodeId: item.id, name: () => nodeName(item), pathPrefix: `nodes[${item.index}].config` });
    checkNode(item.node, checker);
  }
  if (parsed.settings) checkSettings(parsed.settings, context, errors);
  if (errors.length > 0 || !parsed.header || !parsed.settings || !entry) return fail(errors);

  const nodes: Record<string, GraphNode> = {};
  const wired: Record<string, Record<string, string>> = {};
  const tracked = new Set(parsed.settings.audienceFilter ? countedEvents(parsed.settings.audienceFilter) : []);
  for (const item of parsed.nodes) {
    if (!item.node) return fail(errors); // unreachable: an unreadable step always has an error
    nodes[item.id] = item.node;
    const handles = wiring.get(item.id);
    // Exits in the kind's own order, so compile(decompile(d)) reproduces d key for key.
    wired[item.id] = Object.fromEntries((exits.get(item.id) ?? []).flatMap((exit) => {
      const target = handles?.get(exit.id);
      return target === undefined ? [] : [[exit.id, target]];
    }));
    for (const type of countedEventsOf(item.node)) tracked.add(type);
  }
  const { id, name, description } = parsed.header;
  return ok({
    schemaVersion: 1,
    id,
    name,
    ...(description === undefined ? {} : { description }),
    settings: parsed.settings,
    entryNodeId: entry.id,
    nodes,
    wiring: wired,
    trackedEvents: [...tracked].sort(),
  });
}

/**
 * Turns a definition back into an editable graph (for "edit a copy of version 3").
 * `compile(decompile(d))` gives back `d`.
 */
export function decompile(definition: JourneyDefinition): JourneyGraph {
  const edges: GraphEdge[] = Object.entries(definition.wiring).flatMap(([source, handles]) =>
    Object.entries(handles).map(([sourceHandle, target]) => ({ id: `${source}:${sourceHandle}`, source, sourceHandle, target })),
  );
  return {
    schemaVersion: 1,
    id: definition.id,
    name: definition.name,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    nodes: Object.values(definition.nodes),
    edges,
    settings: definition.settings,
  };
}
