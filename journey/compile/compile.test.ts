import { describe, expect, it } from 'vitest';
import { JourneyDefinition } from '../definition.ts';
import { graphJsonSchema } from '../graph.ts';
import type { JourneyGraph } from '../graph.ts';
import { definitionOf, edge, graph, node } from '../testing/fixtures.ts';
import { compile, decompile } from './compile.ts';
import type { CompileError } from './errors.ts';

const trigger = node({ id: 'start', kind: 'event', label: 'Signed up', config: { eventType: 'signed_up', filter: [] } });
const email = node({ id: 'mail', kind: 'email', label: 'Send win-back email', config: { templateId: 'welcome' } });
const wait = node({ id: 'wait', kind: 'wait', label: 'Wait a day', config: { mode: 'duration', duration: { amount: 1, unit: 'days' } } });
const end = node({ id: 'end', kind: 'exit', config: {} });
const good = graph([trigger, email, end], [edge('start', 'next', 'mail'), edge('mail', 'sent', 'end')]);

function errorsOf(input: unknown): CompileError[] {
  const result = compile(input);
  return result.ok ? [] : result.errors;
}

describe('compile finds what a marketer must fix', () => {
  const cases: [string, JourneyGraph, Partial<CompileError>][] = [
    ['no trigger', graph([email, end], [edge('mail', 'sent', 'end')]), { code: 'NO_TRIGGER', nodeId: null }],
    [
      'a second trigger',
      graph([trigger, { ...trigger, id: 'start2', label: 'Also signed up' }, email, end], [edge('start', 'next', 'mail'), edge('start2', 'next', 'mail'), edge('mail', 'sent', 'end')]),
      { code: 'MULTIPLE_TRIGGERS', nodeId: 'start2', message: '“Also signed up” is a second trigger: a journey has exactly one way in, so keep either it or “Signed up”.' },
    ],
    ['an unconnected exit', graph([trigger, email, end], [edge('start', 'next', 'mail')]), { code: 'EXIT_NOT_CONNECTED', nodeId: 'mail', handle: 'sent', message: '“Send win-back email” has no next step: connect its “sent” exit.' }],
    [
      'an exit connected twice',
      graph([trigger, email, end, { ...end, id: 'end2' }], [edge('start', 'next', 'mail'), edge('mail', 'sent', 'end'), { id: 'dup', source: 'mail', sourceHandle: 'sent', target: 'end2' }]),
      { code: 'EXIT_CONNECTED_TWICE', nodeId: 'mail', handle: 'sent', edge: 'dup' },
    ],
    ['an edge to a deleted step', graph([trigger, email, end], [edge('start', 'next', 'mail'), edge('mail', 'sent', 'gone')]), { code: 'EDGE_UNKNOWN_TARGET', nodeId: 'mail', handle: 'sent' }],
    ['an edge from a deleted step', graph([trigger, email, end], [...good.edges, edge('gone', 'next', 'end')]), { code: 'EDGE_UNKNOWN_SOURCE', nodeId: null, edge: 'gone:next' }],
    ['an edge from an exit that does not exist', graph([trigger, email, end], [...good.edges, edge('mail', 'opened', 'end')]), { code: 'EDGE_UNKNOWN_EXIT', nodeId: 'mail', handle: 'opened' }],
    ['an unreachable step', graph([trigger, email, end, wait], [...good.edges, edge('wait', 'next', 'end')]), { code: 'UNREACHABLE_NODE', nodeId: 'wait', message: 'No customer can ever reach “Wait a day”: connect a step to it, or delete it.' }],
    [
      'a loop with no wait',
      graph(
        [trigger, email, node({ id: 'again', kind: 'branch', label: 'Opened?', config: { conditions: [{ id: 'yes', label: 'Yes', condition: { type: 'tag', tag: 'x', present: true } }] } }), end],
        [edge('start', 'next', 'mail'), edge('mail', 'sent', 'again'), edge('again', 'yes', 'end'), edge('again', 'else', 'mail')],
      ),
      { code: 'CYCLE_WITHOUT_WAIT', nodeId: 'mail' },
    ],
    [
      'a branch without else',
      graph([trigger, node({ id: 'b', kind: 'branch', label: 'VIP?', config: { conditions: [{ id: 'vip', label: 'VIP', condition: { type: 'stage', stages: ['active'] } }] } }), end], [edge('start', 'next', 'b'), edge('b', 'vip', 'end')]),
      { code: 'BRANCH_WITHOUT_ELSE', nodeId: 'b', handle: 'else' },
    ],
    ['an unknown step kind', { ...good, nodes: [...good.nodes, { id: 'odd', kind: 'fax', config: {}, position: { x: 0, y: 0 } }] } as unknown as JourneyGraph, { code: 'UNKNOWN_NODE_KIND', nodeId: 'odd' }],
    ['two steps with one id', graph([trigger, email, end, { ...end }], good.edges), { code: 'DUPLICATE_NODE_ID', nodeId: 'end' }],
    [
      'an invalid config field',
      graph([trigger, node({ id: 'c', kind: 'coupon', config: { offer: { type: 'percent', percent: 150 }, expiresInDays: 7, prefix: 'X', variable: 'couponCode' } }), end], [edge('start', 'next', 'c'), edge('c', 'issued', 'end')]),
      { code: 'INVALID_CONFIG', nodeId: 'c', path: 'nodes[1].config.offer.percent' },
    ],
    ['an invalid fallback timezone', graph(good.nodes, good.edges, { timezone: 'Asia/Peking' }), { code: 'INVALID_TIMEZONE', nodeId: null, path: 'settings.timezone' }],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    expect(errorsOf(input)).toContainEqual(expect.objectContaining(expected));
  });

  it('rejects what is not a journey, naming the field', () => {
    expect(errorsOf(null)).toEqual([expect.objectContaining({ code: 'INVALID_GRAPH' })]);
    expect(errorsOf({ ...good, schemaVersion: 2 })).toEqual([expect.objectContaining({ code: 'UNSUPPORTED_SCHEMA_VERSION', path: 'schemaVersion' })]);
    expect(errorsOf({ ...good, name: '' })).toEqual([expect.objectContaining({ code: 'INVALID_GRAPH', path: 'name' })]);
    expect(errorsOf({ ...good, settings: { quietHours: { start: '9pm', end: '09:00' } } })).toEqual([
      expect.objectContaining({ code: 'INVALID_SETTINGS', path: 'settings.quietHours.start' }),
    ]);
  });

  it('checks the journey’s goal event and audience filter against the catalogue', () => {
    const withGoal = graph(good.nodes, good.edges, {
      goal: { eventType: 'order_complete', filter: [], windowDays: 30 },
      audienceFilter: { type: 'attribute', attribute: 'loyaltyTier', op: 'eq', value: 'gold' },
    });
    const result = compile(withGoal, { knownEvents: [], customerAttributes: { plan: 'string' } });
    expect(result.ok ? [] : result.errors.map((e) => [e.code, e.path])).toEqual([
      ['UNKNOWN_EVENT', 'settings.goal.eventType'],
      ['UNKNOWN_ATTRIBUTE', 'settings.audienceFilter.attribute'],
    ]);
  });

  it('reports several problems at once, each on its own step', () => {
    const errors = errorsOf(graph([email, wait, end], [edge('mail', 'sent', 'wait')]));
    expect(errors.map((e) => [e.code, e.nodeId])).toEqual([
      ['NO_TRIGGER', null],
      ['EXIT_NOT_CONNECTED', 'wait'],
    ]);
  });
});

describe('compile output', () => {
  it('wires exits to steps and remembers the event types conditions count', () => {
    const branch = node({ id: 'b', kind: 'branch', config: { conditions: [{ id: 'busy', label: 'Busy', condition: { type: 'eventCount', eventType: 'login', op: 'gte', count: 3, withinDays: 7 } }] } });
    const definition = definitionOf(
      graph([node({ id: 'start', kind: 'api', config: {} }), branch, end], [edge('start', 'next', 'b'), edge('b', 'else', 'end'), edge('b', 'busy', 'end')]),
    );
    expect(definition.entryNodeId).toBe('start');
    // Exits in the kind's own order (conditions, then else), whatever order the edges came in.
    expect(Object.entries(definition.wiring.b ?? {})).toEqual([['busy', 'end'], ['else', 'end']]);
    expect(definition.wiring.start).toEqual({ next: 'b' });
    expect(definition.trackedEvents).toEqual(['login']);
    expect(JourneyDefinition.safeParse(definition).success).toBe(true);
  });
});

describe('decompile', () => {
  it('gives back an editable graph that compiles to the same definition', () => {
    const definition = definitionOf(graph([trigger, email, wait, end], [edge('start', 'next', 'mail'), edge('mail', 'sent', 'wait'), edge('mail', 'failed', 'end'), edge('wait', 'next', 'end')]));
    const graphAgain = decompile(definition);
    expect(graphAgain.nodes.map((n) => n.id)).toEqual(['start', 'mail', 'wait', 'end']);
    expect(graphAgain.edges).toContainEqual({ id: 'mail:failed', source: 'mail', sourceHandle: 'failed', target: 'end' });
    const again = compile(graphAgain);
    expect(again.ok && again.value).toStrictEqual(definition);
    expect(again.ok && JSON.stringify(again.value)).toBe(JSON.stringify(definition));
  });
});

describe('graphJsonSchema', () => {
  it('describes the graph for other tools, with every node kind', () => {
    const schema = JSON.stringify(graphJsonSchema());
    for (const kind of ['event', 'waitForEvent', 'split', 'webhook']) expect(schema).toContain(`"const":"${kind}"`);
    expect(graphJsonSchema()).toMatchObject({ type: 'object', required: expect.arrayContaining(['schemaVersion', 'nodes', 'edges']) });
  });
});
