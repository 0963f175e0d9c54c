import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CompileContext } from '../../../journey/compile/errors.ts';
import { emptyCatalog, loadCatalog } from '../client/catalog.ts';
import type { Catalog } from '../client/catalog.ts';
import { journeysApi } from '../client/journeys.ts';
import type { JourneySummary } from '../client/journeys.ts';
import type { DraftGraph } from '../graph/draft.ts';
import { moveNodes } from '../graph/ops.ts';
import { CatalogContext } from '../inspector/context.ts';
import { createEditorStore, EditorStoreContext } from '../state/editorStore.ts';
import { EditorLayout } from './EditorLayout.tsx';
import { autoLayout, overlaps } from './layout.ts';

interface Loaded {
  graph: DraftGraph;
  journey: JourneySummary;
  catalog: Catalog;
  context: CompileContext;
}

/** Opens a journey: loads its draft, its status and the catalogue, then shows the editor. */
export function JourneyEditor({ journeyId }: { journeyId: string }) {
  const { t } = useTranslation();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const open = async () => {
      const [{ draft, ...journey }, { catalog, context }] = await Promise.all([journeysApi.get(journeyId), loadCatalog()]);
      // Graphs written by hand or by other tools may have steps on top of each other: tidy them once.
      const graph = overlaps(draft) ? moveNodes(draft, new Map((await autoLayout(draft)).map((p) => [p.id, p]))) : draft;
      return { graph, journey, catalog, context };
    };
    open().then(
      (result) => live && setLoaded(result),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [journeyId]);
  const store = useMemo(() => (loaded ? createEditorStore(loaded.graph) : null), [loaded]);
  if (error) return <p className="page error-text" role="alert">{t('editor.loadFailed', { message: error })}</p>;
  if (!loaded || !store) return <p className="page muted">{t('common.loading')}</p>;
  return (
    <EditorStoreContext.Provider value={store}>
      <CatalogContext.Provider value={loaded.catalog ?? emptyCatalog}>
        <ReactFlowProvider>
          <EditorLayout journey={loaded.journey} context={loaded.context} />
        </ReactFlowProvider>
      </CatalogContext.Provider>
    </EditorStoreContext.Provider>
  );
}
