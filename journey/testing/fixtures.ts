/**
 * Builders for tests of the core (and of layers that use it): customers, small graphs and
 * compiled definitions, with nothing random and nothing depending on today's date.
 */
import { compile } from '../compile/compile.ts';
import type { CompileContext } from '../compile/errors.ts';
import { consentRecords } from '../consent.ts';
import type { Consent } from '../consent.ts';
import type { ComputedProfile, CustomerProfile } from '../customer.ts';
import type { JourneyDefinition } from '../definition.ts';
import type { GraphEdge, JourneyGraph } from '../graph.ts';
import type { GraphNode } from '../nodes/registry.ts';
import { exitsOf } from '../nodes/registry.ts';
import type { JourneySettings } from '../settings.ts';

/** Monday 6 January 2025, 12:00 UTC: midday in London, 20:00 in Shanghai, 07:00 in New York. */
export const T0 = Date.UTC(2025, 0, 6, 12);

type CustomerOverrides = Partial<Omit<CustomerProfile, 'computed'>> & { computed?: Partial<ComputedProfile> };

/** Consent records for tests: granted or withdrawn per channel, through the API, on 1 January 2025. */
export function consentOf(email: boolean, sms: boolean): Consent {
  return consentRecords({ email, sms }, 'api', '2025-01-01T00:00:00.000Z');
}

/** A reachable, consenting customer in London unless overridden. */
export function customer(overrides: CustomerOverrides = {}): CustomerProfile {
  const { computed, ...rest } = overrides;
  return {
    id: 'cust-1',
    email: 'ana@example.com',
    phone: '+447700900123',
    name: 'Ana',
    locale: 'en',
    timezone: 'Europe/London',
    consent: consentOf(true, true),
    attributes: {},
    tags: [],
    ...rest,
    computed: { stage: 'active', orderCount: 3, totalSpend: 240, segments: [], ...computed },
  };
}

/** A step without its canvas position, kind by kind. */
export type StepSpec = GraphNode extends infer N ? (N extends GraphNode ? Omit<N, 'position'> : never) : never;

/** A graph node at a default position. */
export function node(spec: StepSpec): GraphNode {
  return { ...spec, position: { x: 0, y: 0 } };
}

/** An edge with an id derived from its source and exit. */
export function edge(source: string, sourceHandle: string, target: string): GraphEdge {
  return { id: `${source}:${sourceHandle}`, source, sourceHandle, target };
}

const defaultSettings: JourneySettings = { defaultLocale: 'en', timezone: 'UTC', reEntry: { policy: 'never' }, frequencyCaps: [] };

/** A graph from nodes and edges, with default settings unless given. */
export function graph(nodes: GraphNode[], edges: GraphEdge[], settings: Partial<JourneySettings> = {}): JourneyGraph {
  return { schemaVersion: 1, id: 'test-journey', name: 'Test journey', nodes, edges, settings: { ...defaultSettings, ...settings } };
}

/**
 * A straight line of steps: each step's first exit leads to the next one; an exit step is
 * appended if the last step is not one.
 */
export function chain(steps: StepSpec[], settings: Partial<JourneySettings> = {}): JourneyGraph {
  const nodes = steps.map((s) => node(s));
  const last = nodes[nodes.length - 1];
  if (!last || last.kind !== 'exit') nodes.push(node({ id: 'end', kind: 'exit', config: {} }));
  const edges = nodes.slice(1).flatMap((next, i) => {
    const from = nodes[i];
    const exit = from ? exitsOf(from)[0] : undefined;
    return from && exit ? [edge(from.id, exit.id, next.id)] : [];
  });
  return graph(nodes, edges, settings);
}

/** Compiles a graph, failing the test with the compiler's messages if it does not compile. */
export function definitionOf(input: JourneyGraph, context: CompileContext = {}): JourneyDefinition {
  const result = compile(input, context);
  if (!result.ok) throw new Error(`expected the journey to compile:\n${result.errors.map((e) => `${e.code}: ${e.message}`).join('\n')}`);
  return result.value;
}

/** An API-triggered journey around one step whose every exit leads to an exit step `end`. */
export function around(step: StepSpec, settings: Partial<JourneySettings> = {}): JourneyGraph {
  const trigger = node({ id: 'start', kind: 'api', config: {} });
  const subject = node(step);
  const exits = exitsOf(subject);
  if (exits.length === 0) return graph([trigger, subject], [edge('start', 'next', subject.id)], settings);
  const end = node({ id: 'end', kind: 'exit', config: {} });
  const edges = [edge('start', 'next', subject.id), ...exits.map((exit) => edge(subject.id, exit.id, 'end'))];
  return graph([trigger, subject, end], edges, settings);
}
