import { useTranslation } from 'react-i18next';
import { routeHref } from '../../app/route.ts';
import { customersApi } from '../../client/customers.ts';
import { ProfileFacts } from '../shared/ProfileFacts.tsx';
import { useConsoleFormat } from '../shared/format.ts';
import { useLoad } from '../shared/useLoad.ts';
import { CustomerJourneys } from './CustomerJourneys.tsx';
import { Timeline } from './Timeline.tsx';
import '../console.css';

/** One customer: profile and computed fields, the journeys they are in, and their timeline. */
export function CustomerPage({ customerId, now = Date.now }: { customerId: string; now?: () => number }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const customer = useLoad(() => customersApi.get(customerId), customerId);
  const timeline = useLoad(() => customersApi.timeline(customerId), customerId);
  const c = customer.data;
  const at = now();
  return (
    <section className="page page-wide console-page">
      <p className="small">
        <a href={routeHref({ screen: 'customers' })}>← {t('customers.back')}</a>
      </p>
      {customer.error && <p className="error-text" role="alert">{customer.error}</p>}
      {!c && !customer.error && <p className="muted">{t('common.loading')}</p>}
      {c && (
        <div className="customer-layout">
          <aside className="customer-side">
            <section className="card">
              <h1>{c.name ?? c.id}</h1>
              <p className="muted small">{c.id}</p>
              <dl className="facts">
                <div>
                  <dt>{t('tasks.context.email')}</dt>
                  <dd>{c.email ?? '—'}</dd>
                </div>
                <div>
                  <dt>{t('tasks.context.phone')}</dt>
                  <dd>{c.phone ?? '—'}</dd>
                </div>
                <div>
                  <dt>{t('tasks.context.locale')}</dt>
                  <dd>
                    {f.language(c.locale)} · {c.timezone}
                  </dd>
                </div>
                <div>
                  <dt>{t('customers.consent')}</dt>
                  <dd>
                    {t('options.email')} {c.consent.email?.granted === true ? '✓' : '✗'} · {t('options.sms')} {c.consent.sms?.granted === true ? '✓' : '✗'}
                  </dd>
                </div>
                {c.birthday && (
                  <div>
                    <dt>{t('customers.birthday')}</dt>
                    <dd>{f.date(`${c.birthday}T00:00:00`)}</dd>
                  </div>
                )}
                {c.accountOwner && (
                  <div>
                    <dt>{t('customers.accountOwner')}</dt>
                    <dd>{c.accountOwner}</dd>
                  </div>
                )}
              </dl>
              {c.tags.length > 0 && (
                <p className="tags">
                  {c.tags.map((tag) => (
                    <span key={tag} className="badge">
                      {tag}
                    </span>
                  ))}
                </p>
              )}
            </section>
            <section className="card">
              <h2>{t('customers.computed')}</h2>
              <ProfileFacts customer={c} now={at} />
              {c.computed.segments.length > 0 && (
                <p className="tags" aria-label={t('customers.segments')}>
                  {c.computed.segments.map((s) => (
                    <span key={s} className="badge badge-draft">
                      {s}
                    </span>
                  ))}
                </p>
              )}
            </section>
            <CustomerJourneys customerId={c.id} onRemoved={timeline.reload} />
          </aside>
          <div className="customer-main">
            <h2>{t('customers.timeline')}</h2>
            {timeline.error && <p className="error-text" role="alert">{timeline.error}</p>}
            {!timeline.data && !timeline.error && <p className="muted">{t('common.loading')}</p>}
            {timeline.data && <Timeline timeline={timeline.data} now={at} />}
          </div>
        </div>
      )}
    </section>
  );
}
