import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { JourneySummary } from '../client/journeys.ts';
import { parseGraphJson } from '../graph/draft.ts';
import { useEditor, useEditorStore } from '../state/editorStore.ts';
import type { SaveStatus } from '../state/useAutosave.ts';

interface ToolbarProps {
  journey: JourneySummary;
  saveStatus: SaveStatus;
  errorCount: number;
  onLayout: () => void;
  onHelp: () => void;
  onPublish: () => void;
  onLaunch: () => void;
}

/** Downloads the draft as the JSON file the CLI compiles. */
function exportGraph(json: string, id: string) {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${id}.journey.json`;
  a.click();
  URL.revokeObjectURL(url);
}

/** Journey name and status, save state, undo/redo, layout, import/export, publish and launch. */
export function Toolbar({ journey, saveStatus, errorCount, onLayout, onHelp, onPublish, onLaunch }: ToolbarProps) {
  const { t } = useTranslation();
  const store = useEditorStore();
  const name = useEditor((s) => s.history.present.name);
  const canUndo = useEditor((s) => s.history.past.length > 0);
  const canRedo = useEditor((s) => s.history.future.length > 0);
  const fileInput = useRef<HTMLInputElement>(null);
  const published = journey.latestVersion > 0;
  const importFile = async (file: File) => {
    const parsed = parseGraphJson(await file.text());
    if (!parsed.ok) return window.alert(t('editor.importFailed', { message: parsed.message }));
    // The file's steps and settings replace the draft's; the journey keeps its own id.
    store.dispatch({ type: 'replace', graph: { ...parsed.graph, id: journey.id } });
  };
  return (
    <div className="toolbar" role="toolbar" aria-label={t('editor.toolbar')}>
      <a className="btn btn-ghost" href="#/journeys">
        ← {t('nav.journeys')}
      </a>
      <h1 className="toolbar-title">{name}</h1>
      <span className={`badge badge-${published ? 'published' : 'draft'}`}>{published ? t('journeys.publishedVersion', { version: journey.latestVersion }) : t('journeys.status.draft')}</span>
      <span className={`save-status save-${saveStatus.state}`} role="status" data-testid="save-status">
        {t(`editor.save.${saveStatus.state}`)}
        {(saveStatus.state === 'failed' || saveStatus.state === 'incomplete') && `: ${saveStatus.message}`}
      </span>
      <div className="toolbar-spacer" />
      <button type="button" className="btn btn-icon" onClick={() => store.dispatch({ type: 'undo' })} disabled={!canUndo} aria-label={t('shortcuts.undo')} title={t('shortcuts.undo')}>
        ↶
      </button>
      <button type="button" className="btn btn-icon" onClick={() => store.dispatch({ type: 'redo' })} disabled={!canRedo} aria-label={t('shortcuts.redo')} title={t('shortcuts.redo')}>
        ↷
      </button>
      <button type="button" className="btn" onClick={onLayout}>
        {t('editor.layout')}
      </button>
      <button type="button" className="btn" onClick={() => fileInput.current?.click()}>
        {t('editor.import')}
      </button>
      <input
        ref={fileInput}
        type="file"
        accept="application/json,.json"
        hidden
        aria-label={t('editor.import')}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void importFile(file);
          e.target.value = '';
        }}
      />
      <button type="button" className="btn" onClick={() => exportGraph(JSON.stringify(store.getState().history.present, null, 2), journey.id)}>
        {t('editor.export')}
      </button>
      <button type="button" className="btn btn-icon" onClick={onHelp} aria-label={t('shortcuts.title')} title={t('shortcuts.title')}>
        ?
      </button>
      <button type="button" className="btn btn-primary" onClick={onPublish} disabled={errorCount > 0} title={errorCount > 0 ? t('editor.fixFirst', { count: errorCount }) : undefined}>
        {t('editor.publish')}
      </button>
      <button type="button" className="btn btn-accent" onClick={onLaunch} disabled={!published}>
        {t('editor.launch')}
      </button>
    </div>
  );
}
