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
