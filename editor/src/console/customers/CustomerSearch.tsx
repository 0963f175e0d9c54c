import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { routeHref } from '../../app/route.ts';
import { customersApi } from '../../client/customers.ts';
import { useConsoleFormat } from '../shared/format.ts';
import { useLoad } from '../shared/useLoad.ts';
import '../console.css';

/** Finds customers by the start of their id, email or name; each opens their timeline. */
export function CustomerSearch() {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  // Search as one types, once the typing pauses.
  useEffect(() => {
    const timer = window.setTimeout(() => setQuery(text.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [text]);
  const found = useLoad(() => customersApi.search(query), query);
  return (
    <section className="page console-page">
      <div className="page-head">
        <h1>{t('customers.title')}</h1>
      </div>
      <form
        className="search-bar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(text.trim());
        }}
      >
        <label className="field">
          <span className="sr-only">{t('customers.search')}</span>
          <input type="search" value={text} autoFocus placeholder={t('customers.searchPlaceholder')} aria-label={t('customers.search')} onChange={(e) => setText(e.target.value)} />
        </label>
      </form>
      {found.error && <p className="error-text" role="alert">{found.error}</p>}
      {!found.data && !found.error && <p className="muted">{t('common.loading')}</p>}
      {found.data?.length === 0 && <p className="muted">{t('customers.none')}</p>}
      {found.data && found.data.length > 0 && (
        <table className="table" aria-busy={found.loading}>
          <thead>
            <tr>
              <th scope="col">{t('customers.name')}</th>
              <th scope="col">{t('tasks.context.stage')}</th>
              <th scope="col">{t('tasks.context.rfm')}</th>
              <th scope="col">{t('tasks.context.clv')}</th>
              <th scope="col">{t('tasks.context.lastPurchase')}</th>
            </tr>
          </thead>
          <tbody>
            {found.data.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={routeHref({ screen: 'customer', customerId: c.id })}>{c.name ?? c.id}</a>
                  <div className="muted small">
                    {c.id}
                    {c.email ? ` · ${c.email}` : ''}
                  </div>
                </td>
                <td>
                  <span className={`stage-chip stage-${c.computed.stage}`}>{t(`options.${c.computed.stage}`)}</span>
                </td>
                <td>{c.computed.rfm ? t(`options.${c.computed.rfm.cell}`) : '—'}</td>
                <td>{f.money(c.computed.clv?.historical ?? c.computed.totalSpend)}</td>
                <td>{c.computed.lastPurchaseAt ? f.date(c.computed.lastPurchaseAt) : t('tasks.context.never')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
