import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  /** Loads again (after an action changed the data); keeps showing the old data meanwhile. */
  reload: () => void;
}

/**
 * Runs `load` when `key` changes and keeps its latest answer; answers to superseded calls are
 * dropped, so a slow old request never overwrites a newer one.
 *
 * @example const tasks = useLoad(() => tasksApi.list(filter), JSON.stringify(filter));
 */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    let live = true;
    setLoading(true);
    latest.current().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [key, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading, reload };
}

/** The message of an unknown failure. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
