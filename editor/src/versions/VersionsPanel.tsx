import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { journeysApi } from '../client/journeys.ts';
import type { JourneyVersionSummary } from '../client/journeys.ts';
import { useFormat } from '../i18n/format.ts';
import { DiffDialog } from './DiffDialog.tsx';
import { PublishDialog } from './PublishDialog.tsx';

/**
 * Version history: every published version with its note, who published it and when; pick any
 * two to compare; roll back to an earlier one (the publish dialog, publishing it again).
 */
export function VersionsPanel({ journeyId, currentVersion, onPublished }: { journeyId: string; currentVersion: number | null; onPublished?: (version: number) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [versions, setVersions] = useState<JourneyVersionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<number[]>([]);
  const [comparing, setComparing] = useState<[number, number] | null>(null);
  const [rollingBack, setRollingBack] = useState<number | null>(null);
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
              {v.publishedAt && (
                <span className="muted small">
                  {f.dateTime(v.publishedAt)} · {v.publisherRole ? t('migration.publishedBy', { name: v.publishedBy, role: t(`migration.roles.${v.publisherRole}`, { defaultValue: v.publisherRole }) }) : t('migration.publishedByName', { name: v.publishedBy })}
                  {v.rollbackOf !== undefined && ` · ${t('migration.rolledBackFrom', { version: v.rollbackOf })}`}
                  {v.version === currentVersion && ` · ${t('migration.live')}`}
                </span>
              )}
            </label>
            {v.version !== currentVersion && (
              <button type="button" className="btn btn-small" onClick={() => setRollingBack(v.version)}>
                {t('migration.rollback')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <button type="button" className="btn" disabled={a === undefined || b === undefined} onClick={() => a !== undefined && b !== undefined && setComparing([a, b])}>
        {t('versions.compare')}
      </button>
      {rollingBack !== null && (
        <PublishDialog journeyId={journeyId} from={rollingBack} beforePublish={async () => true} onClose={() => setRollingBack(null)} onPublished={(version) => onPublished?.(version)} />
      )}
      {comparing && <DiffDialog journeyId={journeyId} older={comparing[0]} newer={comparing[1]} onClose={() => setComparing(null)} />}
    </section>
  );
}
