import { issueCouponAction } from '../coupon.ts';
import type { ActionHandler } from './handler.ts';

/** Issues the step's coupon; the code becomes a run variable. */
export const coupon: ActionHandler<'coupon'> = (deps, request) => issueCouponAction(deps.db, request);
