import { useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import type { EditorStore } from '../state/editorStore.ts';

/** The editor's keyboard shortcuts, as listed in the help popover. `mod` is Ctrl (⌘ on a Mac). */
export const shortcuts = [
  { keys: 'mod+Z', action: 'undo' },
  { keys: 'mod+Shift+Z / mod+Y', action: 'redo' },
  { keys: 'mod+C', action: 'copy' },
  { keys: 'mod+X', action: 'cut' },
  { keys: 'mod+V', action: 'paste' },
  { keys: 'mod+A', action: 'selectAll' },
  { keys: 'Delete / Backspace', action: 'delete' },
  { keys: 'Esc', action: 'deselect' },
  { keys: 'mod+S', action: 'save' },
  { keys: 'Shift+L', action: 'layout' },
  { keys: '+ / − / 0', action: 'zoom' },
  { keys: '?', action: 'help' },
] as const;

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Binds the shortcuts while the editor is open; form fields keep their own keys. */
export function useShortcuts(store: EditorStore, handlers: { save: () => void; layout: () => void; help: () => void; readOnly: boolean }) {
  const flow = useReactFlow();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 's') {
        e.preventDefault();
        handlers.save();
        return;
      }
      // Form fields and open dialogs keep their own keys (Esc closes a dialog).
      if (typingIn(e.target) || document.querySelector('dialog[open]')) return;
      const run = (fn: () => void) => {
        e.preventDefault();
        fn();
      };
      const edit = (fn: () => void) => !handlers.readOnly && run(fn);
      if (mod && key === 'z' && !e.shiftKey) return edit(() => store.dispatch({ type: 'undo' }));
      if (mod && (key === 'y' || (key === 'z' && e.shiftKey))) return edit(() => store.dispatch({ type: 'redo' }));
      if (mod && key === 'c') return run(() => store.dispatch({ type: 'copy' }));
      if (mod && key === 'x') return edit(() => store.dispatch({ type: 'cut' }));
      if (mod && key === 'v') return edit(() => store.dispatch({ type: 'paste' }));
      if (mod && key === 'a') return run(() => store.dispatch({ type: 'select', nodeIds: store.getState().history.present.nodes.map((n) => n.id) }));
      if (mod || e.altKey) return;
      if (key === 'escape') return run(() => store.dispatch({ type: 'select', nodeIds: [] }));
      if (key === 'l' && e.shiftKey) return edit(handlers.layout);
      if (e.key === '?') return run(handlers.help);
      if (e.key === '+' || e.key === '=') return run(() => void flow.zoomIn());
      if (e.key === '-') return run(() => void flow.zoomOut());
      if (e.key === '0') return run(() => void flow.fitView({ padding: 0.2, maxZoom: 1 }));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, handlers, flow]);
}
