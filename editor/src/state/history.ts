/**
 * Undo/redo as snapshots of plain JSON. Consecutive changes with the same `coalesce` key (one
 * drag, typing in one field) become one undo step.
 */
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** Key of the change that produced `present`, for coalescing. */
  lastKey: string | null;
}

const limit = 100;

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], lastKey: null };
}

/**
 * Records `next` as the new present.
 *
 * @example commit(h, moved, 'drag:n1') // a second 'drag:n1' replaces the present instead of adding a step
 */
export function commit<T>(history: History<T>, next: T, coalesce: string | null = null): History<T> {
  if (next === history.present) return history;
  if (coalesce !== null && coalesce === history.lastKey) {
    return { ...history, present: next, future: [] };
  }
  return { past: [...history.past, history.present].slice(-limit), present: next, future: [], lastKey: coalesce };
}

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past.at(-1);
  if (previous === undefined) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future], lastKey: null };
}

export function redo<T>(history: History<T>): History<T> {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { past: [...history.past, history.present], present: next, future: rest, lastKey: null };
}

/** Replaces the present without an undo step (e.g. loading a saved draft). */
export function reset<T>(present: T): History<T> {
  return createHistory(present);
}
