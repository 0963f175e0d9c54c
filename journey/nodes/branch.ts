import { z } from 'zod';
import { Condition, countedEvents, evaluateCondition } from '../condition.ts';
import { HandleId } from '../ids.ts';
import { quote } from '../compile/errors.ts';
import { defineNode } from './spec.ts';

export const BranchConfig = z.object({
  /** Tested in order; the customer takes the exit of the first that matches, else `else`. */
  conditions: z
    .array(z.object({ id: HandleId, label: z.string().min(1).max(80), condition: Condition }))
    .min(1),
});
export type BranchConfig = z.infer<typeof BranchConfig>;

/** Sends the customer down the first matching condition's exit, or `else`. */
export const branchNode = defineNode(BranchConfig)({
  kind: 'branch',
  displayName: 'Branch',
  description: 'Sends customers down different paths by attributes, segments, stage, RFM, activity or consent.',
  category: 'flow',
  defaults: () => ({
    conditions: [{ id: 'high-value', label: 'High value', condition: { type: 'attribute', attribute: 'valueTier', op: 'eq', value: 'high' } }],
  }),
  exits: (c) => [
    ...c.conditions.map((branch) => ({ id: branch.id, label: branch.label })),
    {
      id: 'else',
      label: 'else',
      whenUnconnected: { code: 'BRANCH_WITHOUT_ELSE', hint: 'customers who match no condition need a path too' },
    },
  ],
  summary: (c) => `Branch: ${c.conditions.map((b) => b.label).join(' / ')} / else`,
  countedEvents: (c) => c.conditions.flatMap((b) => countedEvents(b.condition)),
  check(c, ctx) {
    const seen = new Set<string>(['else']);
    c.conditions.forEach((branch, i) => {
      if (seen.has(branch.id)) {
        ctx.error('DUPLICATE_EXIT_ID', `${ctx.name} has two paths with the id ${quote(branch.id)}: give each condition its own id.`, {
          path: `conditions[${i}].id`,
          handle: branch.id,
        });
      }
      seen.add(branch.id);
      ctx.checkCondition(branch.condition, `conditions[${i}].condition`);
    });
  },
  enter(c, ctx) {
    const facts = { customer: ctx.state.customer, now: ctx.now, eventTimes: ctx.state.eventTimes };
    const match = c.conditions.find((branch) => evaluateCondition(branch.condition, facts));
    return { type: 'follow', exit: match?.id ?? 'else' };
  },
});
