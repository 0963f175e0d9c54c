import { useCallback, useEffect, useRef, useState } from 'react';
import type { DraftGraph } from '../graph/draft.ts';
import type { EditorStore } from './editorStore.ts';
import { useEditor } from './editorStore.ts';

export type SaveStatus = { state: 'saved' } | { state: 'pending' } | { state: 'saving' } | { state: 'incomplete'; message: string } | { state: 'failed'; message: string };

/**
 * Saves the draft a moment after the last change (and on demand). Returns the save status and
 * `saveNow`, which resolves to whether the current draft is stored. A draft the API cannot take
 * yet (a number box left empty) is "incomplete": it is saved as soon as it is fixed.
 */
export function useAutosave(store: EditorStore, save: (graph: DraftGraph) => Promise<unknown>, delayMs = 800) {
  const graph = useEditor((s) => s.history.present);
  const savedRef = useRef<DraftGraph>(graph);
  const [status, setStatus] = useState<SaveStatus>({ state: 'saved' });
  const inFlight = useRef<Promise<void> | null>(null);

  const saveNow = useCallback(async (): Promise<boolean> => {
    if (inFlight.current) await inFlight.current;
    const current = store.getState().history.present;
    if (current === savedRef.current) {
      setStatus({ state: 'saved' });
      return true;
    }
    setStatus({ state: 'saving' });
    const run = save(current).then(
      () => {
        savedRef.current = current;
        setStatus(store.getState().history.present === current ? { state: 'saved' } : { state: 'pending' });
      },
      (e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        setStatus(e instanceof Error && e.name === 'UnsavableDraftError' ? { state: 'incomplete', message } : { state: 'failed', message });
      },
    );
    inFlight.current = run;
    await run;
    inFlight.current = null;
    return savedRef.current === current;
  }, [store, save]);

  useEffect(() => {
    if (graph === savedRef.current) return;
    setStatus((s) => (s.state === 'saving' ? s : { state: 'pending' }));
    const timer = setTimeout(() => void saveNow(), delayMs);
    return () => clearTimeout(timer);
  }, [graph, saveNow, delayMs]);

  // Warn before leaving with unsaved changes.
  useEffect(() => {
    const onLeave = (e: BeforeUnloadEvent) => {
      if (store.getState().history.present !== savedRef.current) e.preventDefault();
    };
    window.addEventListener('beforeunload', onLeave);
    return () => window.removeEventListener('beforeunload', onLeave);
  }, [store]);

  return { status, saveNow };
}
