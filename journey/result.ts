/** The outcome of an operation that can fail with typed errors, without throwing. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; errors: E };

/** Wraps a success. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** Wraps the failures. */
export function fail<E>(errors: E): { ok: false; errors: E } {
  return { ok: false, errors };
}
