import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition } from '../condition.ts';
import type { JourneyGraph } from '../graph.ts';
import { step } from '../interpreter/step.ts';
import type { StepInput } from '../interpreter/types.ts';
import { limits } from '../limits.ts';
import { exitsOf, pausesOf } from '../nodes/registry.ts';
import type { GraphNode } from '../nodes/registry.ts';
import { DAY, HOUR } from '../time.ts';
import { T0, customer, edge, graph, node } from '../testing/fixtures.ts';
import type { StepSpec } from '../testing/fixtures.ts';
import { compile, decompile } from './compile.ts';

const kinds = ['wait', 'waitForEvent', 'branch', 'split', 'exit', 'email', 'sms', 'coupon', 'task', 'update', 'webhook'] as const;
type Kind = (typeof kinds)[number];

const conditions: Condition[] = [
  { type: 'stage', stages: ['active', 'new'] },
  { type: 'consent', channel: 'sms', granted: true },
  { type: 'eventCount', eventType: 'login', op: 'gte', count: 1, withinDays: 7 },
  { type: 'attribute', attribute: 'valueTier', op: 'eq', value: 'high' },
];

function step_(kind: Kind, id: string, c: number): StepSpec {
  switch (kind) {
    case 'wait':
      return { id, kind, config: { mode: 'duration', duration: { amount: 1 + (c % 5), unit: c % 2 === 0 ? 'days' : 'hours' } } };
    case 'waitForEvent':
      return { id, kind, config: { eventType: c % 2 === 0 ? 'order_completed' : 'email_clicked', filter: [], timeout: { amount: 1 + (c % 3), unit: 'days' } } };
    case 'branch':
      return { id, kind, config: { conditions: Array.from({ length: 1 + (c % 3) }, (_, i) => ({ id: `c${i}`, label: `C${i}`, condition: conditions[(c + i) % conditions.length] ?? conditions[0]! })) } };
    case 'split': {
      const a = 10 + (c % 50);
      return c % 2 === 0
        ? { id, kind, config: { arms: [{ id: 'a', label: 'A', weight: a }, { id: 'b', label: 'B', weight: 100 - a }] } }
        : { id, kind, config: { arms: [{ id: 'a', label: 'A', weight: a }, { id: 'b', label: 'B', weight: 80 - a }], holdout: { weight: 20 } } };
    }
    case 'exit':
      return { id, kind, config: {} };
    case 'email':
    case 'sms':
      return { id, kind, config: { templateId: `t-${kind}` } };
    case 'coupon':
      return { id, kind, config: { offer: { type: 'percent', percent: 10 }, expiresInDays: 7, prefix: 'P', variable: 'couponCode' } };
    case 'task':
      return { id, kind, config: { title: 'Call', body: '', queue: 'cs', assignee: 'queue', priority: 'normal', dueInHours: 24 } };
    case 'update':
      return { id, kind, config: { operations: [{ op: 'addTag', tag: 't' }] } };
    case 'webhook':
      return { id, kind, config: { url: 'https://example.com/h', method: 'POST', headers: {}, body: '{}' } };
  }
}

/**
 * A valid journey from a blueprint: exits point forward (so loops only arise from back edges,
 * which only pausing steps get), optional `failed` exits are sometimes left open, and steps no
 * customer can reach are dropped.
 */
function build(blueprint: { kinds: Kind[]; choices: number[]; goal: boolean }): JourneyGraph {
  let cursor = 0;
  const pick = (n: number) => (blueprint.choices[cursor++ % blueprint.choices.length] ?? 0) % n;
  const nodes: GraphNode[] = [
    node({ id: 'start', kind: 'api', config: {} }),
    ...blueprint.kinds.map((kind, i) => node(step_(kind, `n${i}`, pick(1000)))),
    node({ id: 'last', kind: 'exit', config: {} }),
  ];
  const edges = nodes.flatMap((from, i) =>
    exitsOf(from).flatMap((exit) => {
      if (exit.optional && pick(2) === 0) return [];
      const back = i > 0 && pausesOf(from) && pick(4) === 0;
      const target = back ? nodes[1 + pick(i)] : nodes[i + 1 + pick(nodes.length - i - 1)];
      return target ? [edge(from.id, exit.id, target.id)] : [];
    }),
  );
  const reached = new Set(['start']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of edges) if (reached.has(e.source) && !reached.has(e.target)) grew = reached.add(e.target) !== null;
  }
  return graph(
    nodes.filter((n) => reached.has(n.id)),
    edges.filter((e) => reached.has(e.source)),
    blueprint.goal ? { goal: { eventType: 'order_completed', filter: [], windowDays: 10 }, quietHours: { start: '22:00', end: '08:00' } } : {},
  );
}

const blueprint = fc.record({
  kinds: fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 12 }),
  choices: fc.array(fc.nat({ max: 10_000 }), { minLength: 8, maxLength: 64 }),
  goal: fc.boolean(),
});

/** Answers a blocking command the way a workflow and its activities might. */
function respond(command: ReturnType<typeof step>['commands'][number], r: number, now: number): StepInput | null {
  switch (command.type) {
    case 'complete':
      return null;
    case 'wait':
      return { type: 'timerFired', nodeId: command.nodeId };
    case 'waitForEvent':
      return r % 3 === 0
        ? { type: 'eventReceived', event: { type: command.eventType, customerId: 'cust-1', at: new Date(now).toISOString(), properties: {} } }
        : { type: 'timerFired', nodeId: command.nodeId };
    case 'action':
      return r % 7 === 0
        ? { type: 'actionResult', nodeId: command.nodeId, outcome: 'deferred', until: now + HOUR }
        : r % 5 === 0
          ? { type: 'actionResult', nodeId: command.nodeId, outcome: 'failed', error: 'invalid address' }
          : { type: 'actionResult', nodeId: command.nodeId, outcome: 'ok', variables: command.kind === 'coupon' ? { couponCode: 'P-1' } : {} };
  }
}

describe('random valid journeys', () => {
  it('compile, and decompile back to a graph that compiles to the same definition', () => {
    fc.assert(
      fc.property(blueprint, (b) => {
        const result = compile(build(b));
        if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
        const again = compile(decompile(result.value));
        expect(again).toStrictEqual(result);
      }),
      { numRuns: 200 },
    );
  });

  it('always end or wait, within a bounded number of inputs', () => {
    fc.assert(
      fc.property(blueprint, fc.array(fc.nat(), { minLength: 1, maxLength: 50 }), fc.integer({ min: 0, max: 9 }), (b, answers, customerNo) => {
        const result = compile(build(b));
        if (!result.ok) return;
        const definition = result.value;
        const nodes = Object.keys(definition.nodes).length;
        // Each visit of a step takes a few inputs, and a send deferred by caps takes up to three
        // more per deferral (the deferral's timer, quiet hours, the retried result).
        const bound = nodes * (limits.visitsPerNode + 1) * (3 + 3 * limits.deferralsPerSend);
        let now = T0;
        let current = step(definition, null, { type: 'start', runId: 'run', journeyId: definition.id, customer: customer({ id: `c-${customerNo}` }) }, now);
        let inputs = 0;
        for (;;) {
          expect(current.commands).toHaveLength(1);
          expect(current.trace.length).toBeLessThanOrEqual(2 * limits.stepsPerInput + 2);
          expect(current.state.history.length).toBeLessThanOrEqual(limits.history);
          const command = current.commands[0];
          if (!command) throw new Error('no command');
          if (command.type === 'wait' || command.type === 'waitForEvent') now = Math.max(now, command.until);
          const input = respond(command, answers[inputs % answers.length] ?? 0, now);
          if (input === null) break;
          current = step(definition, current.state, input, now);
          inputs++;
          expect(inputs).toBeLessThan(bound);
        }
        expect(current.state.status).toBe('completed');
        expect(now - T0).toBeLessThan(bound * 10 * DAY);
      }),
      { numRuns: 150 },
    );
  });
});

const mutations = [
  'removeRequiredEdge',
  'duplicateEdge',
  'danglingEdge',
  'removeTrigger',
  'secondTrigger',
  'unreachableStep',
  'instantLoop',
  'zeroWait',
  'unknownKind',
  'badSplit',
] as const;

/** Breaks a valid journey in one way a marketer (or a buggy tool) might. */
function mutate(g: JourneyGraph, mutation: (typeof mutations)[number], at: number): Omit<JourneyGraph, 'nodes'> & { nodes: { id: string }[] } {
  const steps = g.nodes.filter((n) => n.kind !== 'api');
  const target = steps[at % Math.max(1, steps.length)] ?? g.nodes[0];
  const required = g.edges.filter((e) => e.sourceHandle !== 'failed');
  switch (mutation) {
    case 'removeRequiredEdge': {
      const victim = required[at % required.length];
      return { ...g, edges: g.edges.filter((e) => e !== victim) };
    }
    case 'duplicateEdge': {
      const copy = required[at % required.length];
      return copy ? { ...g, edges: [...g.edges, { ...copy, id: 'copy' }] } : g;
    }
    case 'danglingEdge':
      return { ...g, edges: g.edges.map((e, i) => (i === at % g.edges.length ? { ...e, target: 'deleted-step' } : e)) };
    case 'removeTrigger':
      return { ...g, nodes: g.nodes.filter((n) => n.kind !== 'api'), edges: g.edges.filter((e) => e.source !== 'start') };
    case 'secondTrigger':
      return { ...g, nodes: [...g.nodes, node({ id: 'start-2', kind: 'event', config: { eventType: 'login', filter: [] } })], edges: [...g.edges, edge('start-2', 'next', target?.id ?? 'last')] };
    case 'unreachableStep':
      return { ...g, nodes: [...g.nodes, node({ id: 'island', kind: 'exit', config: {} })] };
    case 'instantLoop':
      return { ...g, nodes: [...g.nodes, node({ id: 'l1', kind: 'update', config: { operations: [{ op: 'addTag', tag: 'x' }] } }), node({ id: 'l2', kind: 'task', config: { title: 'T', body: '', queue: 'q', assignee: 'queue', priority: 'low', dueInHours: 1 } })], edges: [...g.edges, edge('l1', 'updated', 'l2'), edge('l2', 'created', 'l1')] };
    case 'zeroWait':
      return { ...g, nodes: [...g.nodes, node({ id: 'z', kind: 'wait', config: { mode: 'duration', duration: { amount: 0, unit: 'days' } } })], edges: [...g.edges.filter((e) => e.source !== 'start'), edge('start', 'next', 'z'), edge('z', 'next', g.edges.find((e) => e.source === 'start')?.target ?? 'last')] };
    case 'unknownKind':
      return { ...g, nodes: g.nodes.map((n) => (n === target ? { ...n, kind: 'carrierPigeon' } : n)) };
    case 'badSplit':
      return { ...g, nodes: [...g.nodes, node({ id: 'sp', kind: 'split', config: { arms: [{ id: 'a', label: 'A', weight: 60 }, { id: 'b', label: 'B', weight: 60 }] } })], edges: [...g.edges, edge('sp', 'a', 'last'), edge('sp', 'b', 'last')] };
  }
}

describe('random broken journeys', () => {
  it('always yield errors, and every error names a step that exists (or none)', () => {
    fc.assert(
      fc.property(blueprint, fc.constantFrom(...mutations), fc.nat(), (b, mutation, at) => {
        const valid = build(b);
        const broken = mutate(valid, mutation, at);
        const result = compile(broken);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        const ids = new Set(broken.nodes.map((n) => n.id));
        for (const error of result.errors) {
          if (error.nodeId !== null) expect(ids).toContain(error.nodeId);
          expect(error.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 300 },
    );
  });
});
