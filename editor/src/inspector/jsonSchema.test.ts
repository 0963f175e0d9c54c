import { describe, expect, test } from 'vitest';
import { nodeRegistry } from '../../../journey/nodes/registry.ts';
import { JourneySettings } from '../../../journey/settings.ts';
import { parseScalar } from './inputs.tsx';
import { defaultFor, discriminatorOf, jsonSchemaOf, variantIndex, variantsOf } from './jsonSchema.ts';

describe('forms from config schemas', () => {
  test('a wait step is a choice of modes; switching mode starts from that mode’s defaults', () => {
    const root = jsonSchemaOf(nodeRegistry.wait.configSchema);
    const variants = variantsOf(root) ?? [];
    expect(discriminatorOf(variants, root)).toBe('mode');
    expect(variantIndex(variants, 'mode', { mode: 'timeWindow' }, root)).toBe(1);
    const dateMode = variants[2];
    expect(dateMode && defaultFor(dateMode, root)).toEqual({ mode: 'dateAttribute', attribute: 'birthday', offsetDays: 0, localTime: '09:00', yearly: true });
  });

  test('every kind’s schema yields a form and its defaults satisfy it', () => {
    for (const spec of Object.values(nodeRegistry)) {
      const root = jsonSchemaOf(spec.configSchema);
      expect(root, spec.kind).toBeTypeOf('object');
      expect(spec.configSchema.safeParse(spec.defaults()).success, spec.kind).toBe(true);
    }
  });

  test('a coupon offer switches between percent and amount, each with its own fields', () => {
    const root = jsonSchemaOf(nodeRegistry.coupon.configSchema);
    const offer = root.properties?.['offer'];
    const variants = offer ? (variantsOf(offer) ?? []) : [];
    expect(discriminatorOf(variants, root)).toBe('type');
    expect(variants.map((v) => defaultFor(v, root))).toEqual([{ type: 'percent', percent: 1 }, { type: 'amount', amount: 1, currency: 'USD' }]);
  });

  test('empty journey settings get the schema’s defaults', () => {
    const root = jsonSchemaOf(JourneySettings);
    expect(defaultFor(root, root)).toEqual({ defaultLocale: 'en', timezone: 'UTC', reEntry: { policy: 'never' }, frequencyCaps: [] });
  });

  test('free values become numbers, booleans, text or lists', () => {
    expect(parseScalar('90')).toBe(90);
    expect(parseScalar('true')).toBe(true);
    expect(parseScalar('high')).toBe('high');
    expect(parseScalar('gold, 3')).toEqual(['gold', 3]);
    expect(parseScalar('')).toBeUndefined();
  });
});
