import { createContext, useContext, useSyncExternalStore } from 'react';
import type { DraftGraph } from '../graph/draft.ts';
import { editorReducer, initialEditorState } from './editorReducer.ts';
import type { EditorAction, EditorState } from './editorReducer.ts';

/** A tiny external store around `editorReducer`, shared by the canvas, inspector and panels. */
export interface EditorStore {
  getState(): EditorState;
  dispatch(action: EditorAction): void;
  subscribe(listener: () => void): () => void;
}

export function createEditorStore(graph: DraftGraph): EditorStore {
  let state = initialEditorState(graph);
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch(action) {
      const next = editorReducer(state, action);
      if (next === state) return;
      state = next;
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const EditorStoreContext = createContext<EditorStore | null>(null);

export function useEditorStore(): EditorStore {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error('useEditorStore must be used inside <EditorStoreContext.Provider>');
  return store;
}

/**
 * Reads a slice of the editor state; re-renders when that slice changes.
 *
 * @example const graph = useEditor((s) => s.history.present)
 */
export function useEditor<T>(selector: (state: EditorState) => T): T {
  const store = useEditorStore();
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}
