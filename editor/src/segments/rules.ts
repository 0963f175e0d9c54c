import type { ComparisonOp, ProfileCondition, ProfileSimpleCondition } from '../../../journey/condition.ts';
import type { AttributeValue, Channel, LifecycleStage, RfmCell, ValueTier } from '../../../journey/customer.ts';

/** One rule of the builder: a condition on the profile or the stored event history (segments cannot count run events). */
export type Rule = ProfileSimpleCondition;
export type Combine = 'all' | 'any';

/**
 * What the marketer picks first in a row. Value tier and churn risk are attribute conditions on
 * `valueTier` and `churnRisk`, shown as rows of their own because marketers think of them so.
 */
export const ruleKinds = ['attribute', 'stage', 'rfm', 'valueTier', 'churnRisk', 'tag', 'consent', 'segment', 'eventHistory'] as const;
export type RuleKind = (typeof ruleKinds)[number];

/** The kind of row a rule is shown as. */
export function kindOf(rule: Rule): RuleKind {
  if (rule.type === 'attribute' && rule.attribute === 'valueTier' && (rule.op === 'in' || rule.op === 'notIn')) return 'valueTier';
  if (rule.type === 'attribute' && rule.attribute === 'churnRisk') return 'churnRisk';
  return rule.type;
}

/** A sensible first rule of a kind. */
export function defaultRule(kind: RuleKind): Rule {
  switch (kind) {
    case 'attribute':
      return { type: 'attribute', attribute: 'totalSpend', op: 'gte', value: 100 };
    case 'stage':
      return { type: 'stage', stages: ['dormant' satisfies LifecycleStage] };
    case 'rfm':
      return { type: 'rfm', cells: ['champions' satisfies RfmCell] };
    case 'valueTier':
      return { type: 'attribute', attribute: 'valueTier', op: 'in', value: ['high' satisfies ValueTier] };
    case 'churnRisk':
      return { type: 'attribute', attribute: 'churnRisk', op: 'gte', value: 0.5 };
    case 'tag':
      return { type: 'tag', tag: 'vip', present: true };
    case 'consent':
      return { type: 'consent', channel: 'email' satisfies Channel, granted: true };
    case 'segment':
      return { type: 'segment', segment: 'dormant-90d', member: true };
    case 'eventHistory':
      return { type: 'eventHistory', did: true, eventType: 'order_completed', where: [], atLeast: 1, withinDays: 30 };
  }
}

/** The rows of a saved condition: a lone condition is one row combined with "all". */
export function rulesOf(condition: ProfileCondition): { combine: Combine; rules: Rule[] } {
  if (condition.type === 'all' || condition.type === 'any') return { combine: condition.type, rules: [...condition.conditions] };
  return { combine: 'all', rules: [condition] };
}

/** The condition the rows stand for; null while there is no row (nothing to count). */
export function conditionOf(combine: Combine, rules: readonly Rule[]): ProfileCondition | null {
  const [first, ...rest] = rules;
  if (first === undefined) return null;
  return rest.length === 0 ? first : { type: combine, conditions: [first, ...rest] };
}

/** Reads one typed value: a number as a number, `true`/`false` as a boolean, else the trimmed text. */
export function typedScalar(text: string): AttributeValue {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  return trimmed !== '' && !Number.isNaN(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/**
 * Reads what a marketer typed as a value: numbers as numbers, `true`/`false` as booleans, a list
 * (for "is one of") split at commas.
 *
 * @example typedValue('10, 20', 'in') // [10, 20]
 */
export function typedValue(text: string, op: ComparisonOp): AttributeValue | AttributeValue[] | undefined {
  if (op === 'exists' || op === 'notExists') return undefined;
  return op === 'in' || op === 'notIn' ? text.split(',').filter((s) => s.trim() !== '').map(typedScalar) : typedScalar(text);
}

/** The text a value is edited as. */
export function valueText(value: AttributeValue | AttributeValue[] | undefined): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}
