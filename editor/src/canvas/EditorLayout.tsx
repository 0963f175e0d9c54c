import { useReactFlow } from '@xyflow/react';
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CompileContext } from '../../../journey/compile/errors.ts';
import { journeysApi } from '../client/journeys.ts';
import type { JourneySummary } from '../client/journeys.ts';
import type { Overlay } from '../graph/flow.ts';
import { CustomerPathPanel } from '../forecast/CustomerPathPanel.tsx';
import { ForecastPanel } from '../forecast/ForecastPanel.tsx';
import type { ForecastResult } from '../forecast/forecast.ts';
import { Inspector } from '../inspector/Inspector.tsx';
import { LaunchDialog } from '../launch/LaunchDialog.tsx';
import { useLiveStats } from '../live/useLiveStats.ts';
import { SettingsPanel } from '../settings/SettingsPanel.tsx';
import { useEditor, useEditorStore } from '../state/editorStore.ts';
import { useAutosave } from '../state/useAutosave.ts';
import { ProblemsList } from '../validation/ProblemsList.tsx';
import { validate } from '../validation/validate.ts';
import { PublishDialog } from '../versions/PublishDialog.tsx';
import { VersionsPanel } from '../versions/VersionsPanel.tsx';
import { Canvas } from './Canvas.tsx';
import { autoLayout } from './layout.ts';
import { Palette } from './Palette.tsx';
import { useShortcuts } from './shortcuts.ts';
import { ShortcutHelp } from './ShortcutHelp.tsx';
import { Toolbar } from './Toolbar.tsx';

type Tab = 'step' | 'settings' | 'versions' | 'forecast';
const tabs: Tab[] = ['step', 'settings', 'versions', 'forecast'];
type Dialog = 'help' | 'publish' | 'launch' | null;

/** The journey editor: toolbar, palette, canvas with problems, and the side panel. */
export function EditorLayout({ journey: initial, context }: { journey: JourneySummary; context: CompileContext }) {
  const { t } = useTranslation();
  const store = useEditorStore();
  const flow = useReactFlow();
  const graph = useEditor((s) => s.history.present);
  const selectedId = useEditor((s) => (s.selection.nodeIds.length === 1 ? (s.selection.nodeIds[0] ?? null) : null));
  const hasSelection = selectedId !== null;
  const [journey, setJourney] = useState(initial);
  const [tab, setTab] = useState<Tab>('settings');
  const [lastSelected, setLastSelected] = useState(selectedId);
  if (selectedId !== lastSelected) {
    // Selecting a step opens its form.
    setLastSelected(selectedId);
    if (selectedId) setTab('step');
  }
  const [dialog, setDialog] = useState<Dialog>(null);
  const [forecast, setForecast] = useState<ForecastResult | null>(null);
  const deferred = useDeferredValue(graph);
  const validation = useMemo(() => validate(deferred, context), [deferred, context]);
  const { status, saveNow } = useAutosave(store, journeysApi.saveDraft);
  const published = journey.latestVersion > 0;
  const live = useLiveStats(journey.id, published && forecast === null);
  const shownTab: Tab = tab === 'step' && !hasSelection ? 'settings' : tab;

  const overlay = useMemo<Overlay>(() => {
    const base = { problems: validation.byNode };
    if (forecast) return { ...base, counts: forecast.counts, edgeCounts: forecast.edgeCounts, countsSource: 'forecast' };
    if (live) return { ...base, counts: live, countsSource: 'live' };
    return base;
  }, [validation.byNode, forecast, live]);

  const layout = useCallback(() => {
    void autoLayout(store.getState().history.present).then((positions) => {
      store.dispatch({ type: 'move', positions, dragging: false });
      window.setTimeout(() => void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 300 }), 50);
    });
  }, [store, flow]);
  const handlers = useMemo(() => ({ save: () => void saveNow(), layout, help: () => setDialog('help'), readOnly: false }), [saveNow, layout]);
  useShortcuts(store, handlers);

  const addAtCentre = (kind: string) => {
    const box = document.querySelector('.canvas')?.getBoundingClientRect();
    const centre = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2 - 124, y: box.top + box.height / 2 - 60 }) : { x: 0, y: 0 };
    store.dispatch({ type: 'add', kind, position: centre });
  };

  return (
    <div className="editor">
      <Toolbar
        journey={journey}
        saveStatus={status}
        errorCount={validation.errors.length}
        onLayout={layout}
        onHelp={() => setDialog('help')}
        onPublish={() => setDialog('publish')}
        onLaunch={() => setDialog('launch')}
      />
      <div className="editor-body">
        <Palette onAdd={addAtCentre} />
        <div className="editor-center">
          <Canvas overlay={overlay} />
          <ProblemsList errors={validation.errors} onJourneyProblem={() => setTab('settings')} />
        </div>
        <aside className="side-panel" aria-label={t('editor.sidePanel')}>
          <div role="tablist" className="tabs">
            {tabs.map((id) => (
              <button key={id} role="tab" type="button" id={`tab-${id}`} aria-selected={shownTab === id} aria-controls="side-panel-body" disabled={id === 'step' && !hasSelection} onClick={() => setTab(id)}>
                {t(`editor.tabs.${id}`)}
              </button>
            ))}
          </div>
          <div id="side-panel-body" role="tabpanel" aria-labelledby={`tab-${shownTab}`} className="side-panel-body">
            {shownTab === 'step' && <Inspector errors={validation.errors} readOnly={false} />}
            {shownTab === 'settings' && <SettingsPanel errors={validation.errors} readOnly={false} />}
            {shownTab === 'versions' && (
              <VersionsPanel journeyId={journey.id} currentVersion={journey.latestVersion} onPublished={(version) => setJourney((j) => ({ ...j, latestVersion: version, status: 'published' }))} />
            )}
            {shownTab === 'forecast' && <ForecastPanel graph={graph} canRun={validation.errors.length === 0} result={forecast} onResult={setForecast} />}
            {shownTab === 'forecast' && <CustomerPathPanel graph={graph} canRun={validation.errors.length === 0} />}
          </div>
        </aside>
      </div>
      {dialog === 'help' && <ShortcutHelp onClose={() => setDialog(null)} />}
      {dialog === 'publish' && (
        <PublishDialog
          journeyId={journey.id}
          beforePublish={saveNow}
          onClose={() => setDialog(null)}
          onPublished={(version) => setJourney((j) => ({ ...j, latestVersion: version, status: 'published' }))}
        />
      )}
      {dialog === 'launch' && <LaunchDialog journeyId={journey.id} graph={graph} onClose={() => setDialog(null)} />}
    </div>
  );
}
