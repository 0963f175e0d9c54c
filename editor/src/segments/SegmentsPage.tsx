import { useTranslation } from 'react-i18next';
import { routeHref } from '../app/route.ts';
import { segmentsApi } from '../client/segments.ts';
import { useLoad } from '../console/shared/useLoad.ts';
import '../templates/templates.css';

/** Every segment with its member count now; the way into the builder. */
export function SegmentsPage() {
  const { t, i18n } = useTranslation();
  const segments = useLoad(() => segmentsApi.list(), 'segments');
  const number = new Intl.NumberFormat(i18n.language);
  return (
    <section className="page">
      <div className="page-head">
        <h1>{t('segments.title')}</h1>
        <a className="btn btn-primary" href={routeHref({ screen: 'segment', segmentId: null })}>
          + {t('segments.new')}
        </a>
      </div>
      <p className="muted">{t('segments.intro')}</p>
      {segments.error && <p className="error-text" role="alert">{segments.error}</p>}
      {!segments.data && !segments.error && <p className="muted">{t('common.loading')}</p>}
      {segments.data && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('segments.name')}</th>
              <th scope="col">{t('segments.members')}</th>
            </tr>
          </thead>
          <tbody>
            {segments.data.map((s) => (
              <tr key={s.id}>
                <td>
                  <a href={routeHref({ screen: 'segment', segmentId: s.id })}>{s.name}</a>
                  <div className="muted small">
                    {s.id}
                    {s.description ? ` · ${s.description}` : ''}
                  </div>
                </td>
                <td>{number.format(s.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
