import { z } from 'zod';

/** Step ids are what edges, idempotency keys and metrics refer to, so they stay plain. */
export const NodeId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1–64 letters, digits, _ or -');
/** Exit ids of branch conditions and split arms; also the edge's `sourceHandle`. */
export const HandleId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1–64 letters, digits, _ or -');
export const Position = z.object({ x: z.number(), y: z.number() });
export const NodeLabel = z.string().max(120);

/** Reads a record's own property only: a step or attribute named `constructor` must not find Object's. */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * The `cursor` of a list page: where the previous page ended, as `<sort value>.<id>`. The value
 * is `s` + base64url text, `n` + a number, `t`, `f` or `z` (null); the id is base64url. Every
 * string of this form is a position (lists continue after it), so the pattern is the whole
 * rule: clients pass `nextCursor` back unchanged and never need to build one.
 */
export const PageCursor = z
  .string()
  .max(1000)
  .regex(/^(?:s[A-Za-z0-9_-]*|n-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|t|f|z)\.[A-Za-z0-9_-]*$/, 'not a cursor: pass the nextCursor of the previous page unchanged');
