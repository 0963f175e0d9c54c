import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile.ts';
import type { CompileContext, CompileErrorCode } from '../compile/errors.ts';
import { step } from '../interpreter/step.ts';
import { DAY } from '../time.ts';
import { T0, customer, definitionOf, edge, graph, node } from '../testing/fixtures.ts';
import type { StepSpec } from '../testing/fixtures.ts';
import { exitsOf, nodeRegistry } from './registry.ts';
import { dateTriggerTime } from './trigger-date.ts';

const triggers: [string, StepSpec][] = [
  ['event', { id: 't', kind: 'event', config: { eventType: 'signed_up', filter: [] } }],
  ['segment', { id: 't', kind: 'segment', config: { segment: 'dormant-90d' } }],
  ['date', { id: 't', kind: 'date', config: { attribute: 'birthday', offsetDays: -3, localTime: '10:00' } }],
  ['audience', { id: 't', kind: 'audience', config: { segment: 'dormant-90d', sendRatePerMinute: 50 } }],
  ['api', { id: 't', kind: 'api', config: {} }],
];

function journeyFrom(trigger: StepSpec) {
  return graph([node(trigger), node({ id: 'mail', kind: 'email', config: { templateId: 'hello' } }), node({ id: 'end', kind: 'exit', config: {} })], [
    edge('t', 'next', 'mail'),
    edge('mail', 'sent', 'end'),
  ]);
}

describe.each(triggers)('the %s trigger', (kind, trigger) => {
  it('is a trigger in the palette with valid defaults and one `next` exit', () => {
    const spec = nodeRegistry[trigger.kind];
    expect(spec.category).toBe('trigger');
    expect(spec.configSchema.safeParse(spec.defaults()).success).toBe(true);
    expect(exitsOf(node(trigger)).map((e) => e.id)).toEqual(['next']);
    expect(spec.displayName.length).toBeGreaterThan(3);
  });

  it('passes the customer straight to the first step', () => {
    const definition = definitionOf(journeyFrom(trigger));
    const { commands, trace } = step(definition, null, { type: 'start', runId: 'r1', journeyId: definition.id, customer: customer() }, T0);
    expect(trace.map((t) => `${t.nodeId}:${t.outcome}`)).toEqual(['t:entered', 't:next', 'mail:entered', 'mail:acting']);
    expect(commands.at(-1)).toMatchObject({ type: 'action', kind: 'email', nodeId: 'mail' });
  });

  it(`cannot be entered from another step (${kind})`, () => {
    const g = journeyFrom(trigger);
    const result = compile({ ...g, edges: [...g.edges.filter((e) => e.source !== 'mail'), edge('mail', 'sent', 't')] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.code)).toContain('EDGE_INTO_TRIGGER');
  });
});

describe('trigger checks against the catalogue', () => {
  const context: CompileContext = { knownEvents: ['checkout_started'], segments: ['dormant-90d'], customerAttributes: { plan: 'string', renewal: 'date' } };
  const cases: [string, StepSpec, CompileErrorCode | null, RegExp | null][] = [
    ['an unknown event', { id: 't', kind: 'event', config: { eventType: 'signup', filter: [] } }, 'UNKNOWN_EVENT', /“signup”.*Did you mean “signed_up”\?/],
    ['a known custom event', { id: 't', kind: 'event', config: { eventType: 'checkout_started', filter: [] } }, null, null],
    ['an unknown segment', { id: 't', kind: 'segment', config: { segment: 'dormant-9d' } }, 'UNKNOWN_SEGMENT', /Did you mean “dormant-90d”/],
    ['an unknown campaign segment', { id: 't', kind: 'audience', config: { segment: 'vip', sendRatePerMinute: 10 } }, 'UNKNOWN_SEGMENT', /“vip”/],
    ['a date trigger on a text attribute', { id: 't', kind: 'date', config: { attribute: 'plan', offsetDays: 0, localTime: '09:00' } }, 'ATTRIBUTE_NOT_A_DATE', /“plan” is a string/],
    ['a date trigger on a custom date', { id: 't', kind: 'date', config: { attribute: 'renewal', offsetDays: -7, localTime: '09:00' } }, null, null],
  ];
  it.each(cases)('%s', (_name, trigger, code, message) => {
    const result = compile(journeyFrom(trigger), context);
    if (code === null) {
      expect(result.ok).toBe(true);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const error = result.errors.find((e) => e.code === code);
    expect(error?.nodeId).toBe('t');
    expect(error?.message).toMatch(message ?? /./);
  });
});

describe('dateTriggerTime', () => {
  const config = { attribute: 'birthday', offsetDays: -3, localTime: '10:00' };
  it('enters three days before the birthday at 10:00 in the customer’s timezone', () => {
    const at = dateTriggerTime(config, customer({ birthday: '1990-03-15', timezone: 'Asia/Shanghai' }), 2025, 'UTC');
    expect(new Date(at ?? 0).toISOString()).toBe('2025-03-12T02:00:00.000Z');
  });
  it('puts 29 February on the 28th in other years, and skips customers without a birthday', () => {
    const at = dateTriggerTime({ ...config, offsetDays: 0 }, customer({ birthday: '2000-02-29', timezone: 'UTC' }), 2025, 'UTC');
    expect(new Date(at ?? 0).toISOString()).toBe('2025-02-28T10:00:00.000Z');
    expect(dateTriggerTime(config, customer({ timezone: 'UTC' }), 2025, 'UTC')).toBeNull();
    expect((at ?? 0) - 0).toBeGreaterThan(T0 + 30 * DAY);
  });
});
