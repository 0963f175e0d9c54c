import { z } from 'zod';
import { quote } from '../compile/errors.ts';
import { stableHash } from '../hash.ts';
import { HandleId } from '../ids.ts';
import { DAY } from '../time.ts';
import type { NodeOutcome, RunContext } from './spec.ts';
import { defineNode } from './spec.ts';

export const HOLDOUT_ARM = 'holdout';

export const SplitConfig = z.object({
  arms: z.array(z.object({ id: HandleId, label: z.string().min(1).max(80), weight: z.number().min(0) })).min(1),
  /** A share of customers who get nothing, so the other arms' lift can be measured against them. */
  holdout: z.object({ weight: z.number().min(0) }).optional(),
});
export type SplitConfig = z.infer<typeof SplitConfig>;

/** The customer's bucket in [0, 100) for a split: stable per journey, split step and customer. */
export function splitBucket(journeyId: string, nodeId: string, customerId: string): number {
  return (stableHash(`${journeyId}:${nodeId}:${customerId}`) % 10_000) / 100;
}

/**
 * The arm a customer gets at a split step (`holdout` past the arms' weights): the same answer
 * every time, so outcome reports can tell a run's arm from its journey, step and customer.
 *
 * @example splitArm({ arms: [{ id: 'a', label: 'A', weight: 50 }], holdout: { weight: 50 } }, 'win-back', 's', 'c-1') // 'a' or 'holdout'
 */
export function splitArm(config: SplitConfig, journeyId: string, nodeId: string, customerId: string): string {
  const bucket = splitBucket(journeyId, nodeId, customerId);
  let upper = 0;
  for (const arm of config.arms) {
    upper += arm.weight;
    if (bucket < upper) return arm.id;
  }
  return HOLDOUT_ARM;
}

function holdout(ctx: RunContext): NodeOutcome {
  const goal = ctx.definition.settings.goal;
  const effects = { arm: HOLDOUT_ARM };
  // Held-out customers stay in the run until the goal window closes, so their conversions count.
  const until = goal ? ctx.state.enteredAt + goal.windowDays * DAY : ctx.now;
  if (until <= ctx.now) return { type: 'complete', reason: 'holdout', effects };
  return { type: 'block', command: { type: 'wait', nodeId: ctx.nodeId, until, reason: 'holdout' }, effects };
}

/** Splits customers by weight (A/B tests), by a stable hash so a customer always gets the same arm. */
export const splitNode = defineNode(SplitConfig)({
  kind: 'split',
  displayName: 'Split (A/B test)',
  description: 'Divides customers at random by weight, with an optional holdout group that gets nothing.',
  category: 'flow',
  defaults: () => ({
    arms: [
      { id: 'a', label: 'A', weight: 45 },
      { id: 'b', label: 'B', weight: 45 },
    ],
    holdout: { weight: 10 },
  }),
  exits: (c) => c.arms.map((arm) => ({ id: arm.id, label: `${arm.label} (${arm.weight}%)` })),
  summary: (c) =>
    `Split ${c.arms.map((a) => `${a.label} ${a.weight}%`).join(' / ')}${c.holdout ? ` / holdout ${c.holdout.weight}%` : ''}`,
  check(c, ctx) {
    const seen = new Set<string>([HOLDOUT_ARM]);
    c.arms.forEach((arm, i) => {
      if (seen.has(arm.id)) {
        ctx.error('DUPLICATE_EXIT_ID', `${ctx.name} has two arms with the id ${quote(arm.id)}: give each arm its own id.`, {
          path: `arms[${i}].id`,
          handle: arm.id,
        });
      }
      seen.add(arm.id);
    });
    const total = c.arms.reduce((sum, arm) => sum + arm.weight, 0) + (c.holdout?.weight ?? 0);
    if (Math.abs(total - 100) > 1e-9) {
      const parts = [...c.arms.map((a) => `${a.label} ${a.weight}%`), ...(c.holdout ? [`holdout ${c.holdout.weight}%`] : [])];
      ctx.error('SPLIT_WEIGHTS_NOT_100', `${ctx.name} splits ${parts.join(' + ')} = ${Number(total.toFixed(6))}%: the weights must add up to 100%.`, {
        path: 'arms',
      });
    }
  },
  enter(c, ctx) {
    const arm = splitArm(c, ctx.state.journeyId, ctx.nodeId, ctx.state.customer.id);
    return arm === HOLDOUT_ARM ? holdout(ctx) : { type: 'follow', exit: arm, effects: { arm } };
  },
  resume: (_c, _ctx, input) => (input.type === 'timerFired' ? { type: 'complete', reason: 'holdout' } : { type: 'ignore' }),
});
