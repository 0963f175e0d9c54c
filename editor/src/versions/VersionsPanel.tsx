import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { journeysApi } from '../client/journeys.ts';
import type { JourneyVersionSummary } from '../client/journeys.ts';
import { useFormat } from '../i18n/format.ts';
import { DiffDialog } from './DiffDialog.tsx';

/** Version history: every published version with its note; pick two to compare. */
export function VersionsPanel({ journeyId, currentVersion }: { journeyId: string; currentVersion: number | null }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [versions, setVersions] = useState<JourneyVersionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<number[]>([]);
  const [comparing, setComparing] = useState<[number, number] | null>(null);
  useEffect(() => {
    let live = true;
    journeysApi.versions(journeyId).then(
      (v) => live && setVersions([...v].sort((a, b) => b.version - a.version)),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [journeyId, currentVersion]);
  if (error) return <p className="error-text">{error}</p>;
  if (!versions) return <p className="muted">{t('common.loading')}</p>;
  if (versions.length === 0) return <p className="muted panel-empty">{t('versions.none')}</p>;
  const toggle = (v: number) => setPicked((p) => (p.includes(v) ? p.filter((x) => x !== v) : [...p, v].slice(-2)));
  const [a, b] = [...picked].sort((x, y) => x - y);
  return (
    <section className="versions" aria-label={t('versions.title')}>
      <p className="muted small">{t('versions.pickTwo')}</p>
      <ul>
        {versions.map((v) => (
          <li key={v.version}>
            <label className="version-row">
              <input type="checkbox" checked={picked.includes(v.version)} onChange={() => toggle(v.version)} />
              <span className="version-number">v{v.version}</span>
              <span className="version-note">{v.note || <em className="muted">{t('versions.noNote')}</em>}</span>
              {v.publishedAt && <span className="muted small">{f.dateTime(v.publishedAt)}</span>}
            </label>
          </li>
        ))}
      </ul>
      <button type="button" className="btn" disabled={a === undefined || b === undefined} onClick={() => a !== undefined && b !== undefined && setComparing([a, b])}>
        {t('versions.compare')}
      </button>
      {comparing && <DiffDialog journeyId={journeyId} older={comparing[0]} newer={comparing[1]} onClose={() => setComparing(null)} />}
    </section>
  );
}
