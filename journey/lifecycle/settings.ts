import { z } from 'zod';
import { StageThresholds } from './stage.ts';

/**
 * Every tunable number of the lifecycle computation, with the defaults the documentation
 * quotes. Stored once per workspace; a full recompute applies changes to everyone.
 */
export const LifecycleSettings = z
  .object({
    stages: StageThresholds.default(StageThresholds.parse({})),
    valueTiers: z
      .object({
        // Each below a half, so the two always leave a `low` tier: a bound the OpenAPI document
        // can state (a rule on their sum could not be).
        /** Share of paying customers, by total spend, in the `high` tier (default the top 20 %). */
        highShare: z.number().gt(0).lt(0.5).default(0.2),
        /** Share in the `mid` tier, just below `high` (default the next 30 %). */
        midShare: z.number().min(0).lt(0.5).default(0.3),
      })
      .default({ highShare: 0.2, midShare: 0.3 }),
    churn: z
      .object({
        // Between a day and ten years: churn risk and CLV divide by the gap.
        /** Usual gap assumed for one-order customers when no customer has two orders yet. */
        defaultGapDays: z.number().min(1).max(3650).default(90),
        /** Floor of a usual gap, so two orders on one day do not make every later day "late". */
        minGapDays: z.number().min(1).max(3650).default(7),
      })
      .default({ defaultGapDays: 90, minGapDays: 7 }),
    clv: z
      .object({
        /** How far ahead predicted CLV looks, in days. */
        horizonDays: z.number().int().positive().max(3650).default(365),
      })
      .default({ horizonDays: 365 }),
  });
export type LifecycleSettings = z.infer<typeof LifecycleSettings>;

/** The defaults, e.g. for a workspace that never configured anything. */
export function defaultLifecycleSettings(): LifecycleSettings {
  return LifecycleSettings.parse({});
}
