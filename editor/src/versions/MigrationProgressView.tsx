import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { journeysApi } from '../client/journeys.ts';
import type { MigrationProgress } from '../client/journeys.ts';

/** The migration's counts, read again every two seconds while the dialog is open. */
export function MigrationProgressView({ journeyId, migrationId }: { journeyId: string; migrationId: string }) {
  const { t } = useTranslation();
  const [progress, setProgress] = useState<MigrationProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const read = () =>
      journeysApi.migration(journeyId, migrationId).then(
        (p) => live && setProgress(p),
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    void read();
    const timer = setInterval(() => void read(), 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [journeyId, migrationId]);
  if (error) return <p className="error-text">{error}</p>;
  if (!progress) return <p className="muted">{t('common.loading')}</p>;
  const skipped = Object.values(progress.skipped).reduce((sum, n) => sum + (n ?? 0), 0);
  return (
    <section aria-label={t('migration.progressTitle')} role="status">
      <h3>{t('migration.progressTitle')}</h3>
      <p>{t('migration.progress', { signalled: progress.signalled, moved: progress.moved, skipped, ended: progress.ended, failed: progress.failed })}</p>
      <p className="muted small">{progress.status === 'completed' ? t('migration.progressDone') : t('migration.progressRunning')}</p>
    </section>
  );
}
