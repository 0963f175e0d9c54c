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
        /** Share of paying customers, by total spend, in the `high` tier (default the top 20 %). */
        highShare: z.number().gt(0).lt(1).default(0.2),
        /** Share in the `mid` tier, just below `high` (default the next 30 %). */
        midShare: z.number().min(0).lt(1).default(0.3),
      })
      .refine((v) => v.highShare + v.midShare < 1, { message: 'highShare + midShare must stay below 1', path: ['midShare'] })
      .default({ highShare: 0.2, midShare: 0.3 }),
    churn: z
      .object({
        /** Usual gap assumed for one-order customers when no customer has two orders yet. */
        defaultGapDays: z.number().positive().default(90),
        /** Floor of a usual gap, so two orders on one day do not make every later day "late". */
        minGapDays: z.number().positive().default(7),
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
