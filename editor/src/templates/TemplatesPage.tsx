import { useTranslation } from 'react-i18next';
import { routeHref } from '../app/route.ts';
import { templatesApi } from '../client/templates.ts';
import { useFormat } from '../i18n/format.ts';
import { useLoad } from '../console/shared/useLoad.ts';
import './templates.css';

/** Every message template with its channel and languages; the way into the studio. */
export function TemplatesPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const templates = useLoad(() => templatesApi.list(), 'templates');
  return (
    <section className="page">
      <div className="page-head">
        <h1>{t('templates.title')}</h1>
        <div className="button-row">
          <a className="btn btn-primary" href={routeHref({ screen: 'newTemplate', channel: 'email' })}>
            + {t('templates.newEmail')}
          </a>
          <a className="btn" href={routeHref({ screen: 'newTemplate', channel: 'sms' })}>
            + {t('templates.newSms')}
          </a>
        </div>
      </div>
      {templates.error && <p className="error-text" role="alert">{templates.error}</p>}
      {!templates.data && !templates.error && <p className="muted">{t('common.loading')}</p>}
      {templates.data?.length === 0 && <p className="muted">{t('templates.empty')}</p>}
      {templates.data && templates.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('templates.name')}</th>
              <th scope="col">{t('templates.channel')}</th>
              <th scope="col">{t('templates.languages')}</th>
              <th scope="col">{t('templates.updated')}</th>
              <th scope="col">
                <span className="sr-only">{t('templates.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {templates.data.map(({ template, updatedAt }) => (
              <tr key={template.id}>
                <td>
                  <a href={routeHref({ screen: 'template', templateId: template.id })}>{template.name}</a>
                  <div className="muted small">{template.id}</div>
                </td>
                <td>
                  <span className={`badge channel-${template.channel}`}>{t(`templates.channels.${template.channel}`)}</span>
                </td>
                <td>{Object.keys(template.locales).join(' · ')}</td>
                <td>{f.dateTime(updatedAt)}</td>
                <td>
                  <a className="btn btn-small" href={routeHref({ screen: 'template', templateId: template.id, copy: true })}>
                    {t('templates.duplicate')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
