import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { journeysApi } from '../client/journeys.ts';
import { Canvas } from '../canvas/Canvas.tsx';
import { createEditorStore, EditorStoreContext } from '../state/editorStore.ts';
import { visualDiff } from './diff.ts';
import type { VisualDiff } from './diff.ts';

/** Two versions side by side in one read-only canvas: added, removed and changed steps highlighted. */
export function DiffDialog({ journeyId, older, newer, onClose }: { journeyId: string; older: number; newer: number; onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [diff, setDiff] = useState<VisualDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
    let live = true;
    Promise.all([journeysApi.version(journeyId, older), journeysApi.version(journeyId, newer)]).then(
      ([a, b]) => live && setDiff(visualDiff(a, b)),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [journeyId, older, newer]);
  const store = useMemo(() => (diff ? createEditorStore(diff.graph) : null), [diff]);
  const overlay = useMemo(() => ({ diff: diff?.marks ?? new Map() }), [diff]);
  return (
    <dialog ref={ref} className="dialog dialog-wide" aria-labelledby="diff-title" onClose={onClose}>
      <h2 id="diff-title">{t('versions.diffTitle', { older, newer })}</h2>
      <p className="legend">
        <span className="diff-badge diff-badge-added">{t('versions.diff.added')}</span> <span className="diff-badge diff-badge-removed">{t('versions.diff.removed')}</span>{' '}
        <span className="diff-badge diff-badge-changed">{t('versions.diff.changed')}</span>
        {diff?.settingsChanged && <span className="muted"> · {t('versions.settingsChanged')}</span>}
      </p>
      {error && <p className="error-text">{error}</p>}
      {store && (
        <div className="diff-canvas">
          <EditorStoreContext.Provider value={store}>
            <ReactFlowProvider>
              <Canvas overlay={overlay} readOnly />
            </ReactFlowProvider>
          </EditorStoreContext.Provider>
        </div>
      )}
      <form method="dialog" className="dialog-actions">
        <button className="btn btn-primary">{t('common.close')}</button>
      </form>
    </dialog>
  );
}
