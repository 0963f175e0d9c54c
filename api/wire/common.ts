import { z } from 'zod';
import { PageCursor } from '../../journey/ids.ts';

/**
 * Wire formats shared by every resource. `api/wire/` is imported by the browser editor:
 * it may import zod and journey/ only.
 */

/** One field at fault: `path` is where in the request (e.g. `body.consent.email`). */
export const FieldError = z
  .object({
    path: z.string(),
    message: z.string(),
    /** For journey compile errors: the core's error code, the step and the exit at fault. */
    code: z.string().optional(),
    nodeId: z.string().nullable().optional(),
    handle: z.string().optional(),
    /** For template errors: where in the source (1-based). */
    line: z.number().int().positive().optional(),
    column: z.number().int().positive().optional(),
  })
  .meta({ id: 'FieldError' });
export type FieldError = z.infer<typeof FieldError>;

/** RFC 9457 problem details, the body of every error response. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(FieldError).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `errors[].path` names each field at fault.' });
export type Problem = z.infer<typeof Problem>;

/** Query of every list: page size and the cursor from the previous page. */
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Items per page (1–500).'),
  cursor: PageCursor.optional().describe('`nextCursor` of the previous page, unchanged (an opaque position; a malformed one is a 400 naming `query.cursor`).'),
});

/** A page of `item`s; `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Identifier of a stored thing (journey, template, task...). */
export const ResourceId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits and _ . : - only');

/** `{ id }` path parameters. */
export const IdParams = z.strictObject({ id: ResourceId });

/** Query-string booleans arrive as text. */
export const QueryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Plain acknowledgement. */
export const Ok = z.object({ ok: z.literal(true) }).meta({ id: 'Ok' });
