// PIPL Art. 24: a customer who refused personalised marketing gets a personalised step's
// non-personalised variant, or skips it; everyone else gets the step as drawn.
import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile.ts';
import { step } from '../interpreter/step.ts';
import { T0, around, customer, definitionOf } from '../testing/fixtures.ts';
import type { StepSpec } from '../testing/fixtures.ts';

const refused = { personalisation: { granted: false, at: '2026-01-01T00:00:00.000Z', source: 'form' as const } };
const accepted = { personalisation: { granted: true, at: '2026-01-01T00:00:00.000Z', source: 'api' as const } };

function run(subject: StepSpec, consent: Record<string, unknown>) {
  const definition = definitionOf(around(subject));
  const profile = customer();
  const result = step(definition, null, { type: 'start', runId: 'run-1', journeyId: 'test-journey', customer: { ...profile, consent: { ...profile.consent, ...consent } } }, T0);
  return { command: result.commands.at(-1), trace: result.trace.map((t) => `${t.nodeId}:${t.outcome}`) };
}

describe.each([
  { kind: 'email' as const, templateId: 'winback-offer', variant: 'welcome' },
  { kind: 'sms' as const, templateId: 'winback-reminder', variant: 'birthday-coupon' },
])('a personalised $kind step', ({ kind, templateId, variant }) => {
  const withVariant: StepSpec = { id: 'n', kind, config: { templateId, personalised: true, nonPersonalisedTemplateId: variant } };
  const withoutVariant: StepSpec = { id: 'n', kind, config: { templateId, personalised: true } };

  it('sends the drawn template to customers who did not refuse (no record, or granted)', () => {
    for (const consent of [{}, accepted]) {
      expect(run(withVariant, consent).command).toMatchObject({ type: 'action', kind, config: { templateId } });
    }
  });

  it('sends the non-personalised variant to a customer who refused', () => {
    expect(run(withVariant, refused).command).toMatchObject({ type: 'action', kind, config: { templateId: variant } });
  });

  it('skips the step for a refuser when there is no variant, and the history says so', () => {
    const { command, trace } = run(withoutVariant, refused);
    expect(command).toMatchObject({ type: 'complete' });
    expect(trace).toEqual(['start:entered', 'start:next', 'n:entered', 'n:notPersonalised', 'end:entered', 'end:exit']);
  });

  it('leaves a step not marked personalised alone, refusal or not', () => {
    expect(run({ id: 'n', kind, config: { templateId } }, refused).command).toMatchObject({ type: 'action', config: { templateId } });
  });

  it('checks the variant template when compiling', () => {
    const templates = { [templateId]: { channel: kind, locales: ['en'] } };
    const result = compile(around({ id: 'n', kind, config: { templateId, personalised: true, nonPersonalisedTemplateId: 'no-such-template' } }), { templates });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => [e.code, e.path])).toContainEqual(['TEMPLATE_NOT_FOUND', 'nodes[1].config.nonPersonalisedTemplateId']);
  });
});
