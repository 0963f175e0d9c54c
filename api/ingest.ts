import type { CustomerEvent } from '../journey/event.ts';
import type { IngestResult } from '../runtime/pipeline.ts';
import type { ResolvedDeps } from './deps.ts';

/**
 * One event Waymark raises itself (a task completed, a coupon redeemed, an unsubscribe, an SMS
 * reply) into the event pipeline (`runtime/pipeline.ts`), the path every event takes. Answers
 * once it is stored; its stages run right after, or before answering with `wait`.
 */
export async function ingestEvent(
  deps: ResolvedDeps,
  input: Omit<CustomerEvent, 'at'> & { at?: string | undefined },
  now: Date,
  options: { wait?: boolean } = {},
): Promise<IngestResult> {
  const [result] = await deps.pipeline.ingest([{ ...input, at: input.at ?? now.toISOString() }], { now, ...options });
  if (result === undefined) throw new Error('the event pipeline returned no result');
  return result;
}
