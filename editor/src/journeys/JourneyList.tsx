import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { journeysApi } from '../client/journeys.ts';
import type { JourneySummary } from '../client/journeys.ts';
import { routeHref } from '../app/route.ts';
import { useFormat } from '../i18n/format.ts';

/** All journeys with their status and last change; the way into the editor and the gallery. */
export function JourneyList() {
  const { t } = useTranslation();
  const f = useFormat();
  const [journeys, setJourneys] = useState<JourneySummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    journeysApi.list().then(
      (list) => live && setJourneys(list),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <section className="page">
      <div className="page-head">
        <h1>{t('journeys.title')}</h1>
        <a className="btn btn-primary" href={routeHref({ screen: 'gallery' })}>
          + {t('journeys.new')}
        </a>
      </div>
      {error && <p className="error-text" role="alert">{error}</p>}
      {!journeys && !error && <p className="muted">{t('common.loading')}</p>}
      {journeys?.length === 0 && <p className="muted">{t('journeys.empty')}</p>}
      {journeys && journeys.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('journeys.name')}</th>
              <th scope="col">{t('journeys.statusLabel')}</th>
              <th scope="col">{t('journeys.priority')}</th>
              <th scope="col">{t('journeys.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {journeys.map((j) => (
              <tr key={j.id}>
                <td>
                  <a href={routeHref({ screen: 'journey', journeyId: j.id })}>{j.name}</a>
                  <div className="muted small">{j.id}</div>
                </td>
                <td>
                  <span className={`badge badge-${j.status}`}>
                    {t(`journeys.status.${j.status}`, { defaultValue: j.status })}
                    {j.latestVersion > 0 ? ` · v${j.latestVersion}` : ''}
                  </span>
                </td>
                <td>
                  <span className={`badge badge-priority-${j.priority ?? 'normal'}`}>{t(`options.${j.priority ?? 'normal'}`)}</span>
                </td>
                <td>{j.updatedAt ? f.dateTime(j.updatedAt) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
