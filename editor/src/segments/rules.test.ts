import { expect, test } from 'vitest';
import { ProfileCondition } from '../../../journey/condition.ts';
import { conditionOf, defaultRule, kindOf, ruleKinds, rulesOf, typedValue } from './rules.ts';

test('every kind of row starts as a condition segments accept, and is shown as that kind again', () => {
  for (const kind of ruleKinds) {
    const rule = defaultRule(kind);
    expect(ProfileCondition.safeParse(rule).success, kind).toBe(true);
    expect(kindOf(rule)).toBe(kind);
  }
});

test('rows combine with all or any and read back from a saved condition', () => {
  const rules = [defaultRule('stage'), defaultRule('valueTier')];
  const condition = conditionOf('any', rules);
  expect(condition).toEqual({ type: 'any', conditions: rules });
  expect(rulesOf(condition ?? defaultRule('tag'))).toEqual({ combine: 'any', rules });
  expect(conditionOf('all', [defaultRule('tag')])).toEqual(defaultRule('tag'));
  expect(rulesOf(defaultRule('tag'))).toEqual({ combine: 'all', rules: [defaultRule('tag')] });
  expect(conditionOf('all', [])).toBeNull();
});

test('typed values become numbers, booleans or lists as the operator needs', () => {
  expect(typedValue('0.7', 'gte')).toBe(0.7);
  expect(typedValue('true', 'eq')).toBe(true);
  expect(typedValue('Shanghai', 'eq')).toBe('Shanghai');
  expect(typedValue('high, mid', 'in')).toEqual(['high', 'mid']);
  expect(typedValue('x', 'exists')).toBeUndefined();
});
