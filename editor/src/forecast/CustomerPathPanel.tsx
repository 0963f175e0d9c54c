import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { customersApi } from '../client/customers.ts';
import type { Customer } from '../client/customers.ts';
import { journeysApi } from '../client/journeys.ts';
import type { CustomerForecast } from '../client/journeys.ts';
import type { DraftGraph } from '../graph/draft.ts';

const waitingOutcomes = new Set(['entered', 'waiting', 'acting', 'quietHours', 'deferred']);

/** The marketer's name of a branch condition or split arm taken (`config.conditions` / `config.arms`), if the step has one. */
function exitLabel(graph: DraftGraph, nodeId: string, exitId: string): string | undefined {
  const config = graph.nodes.find((n) => n.id === nodeId)?.config;
  if (typeof config !== 'object' || config === null) return undefined;
  for (const list of ['conditions' in config ? config.conditions : undefined, 'arms' in config ? config.arms : undefined]) {
    if (!Array.isArray(list)) continue;
    for (const item of list as unknown[]) {
      if (typeof item === 'object' && item !== null && 'id' in item && item.id === exitId && 'label' in item && typeof item.label === 'string' && item.label) return item.label;
    }
  }
  return undefined;
}

/**
 * A real customer's forecast path: search a customer by id, email or name, and see where the
 * editor's draft takes them from their current profile — the branch, the messages and their
 * dates in the customer's time zone — with what the forecast assumes.
 */
export function CustomerPathPanel({ graph, canRun }: { graph: DraftGraph; canRun: boolean }) {
  const { t, i18n } = useTranslation();
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<Customer[] | null>(null);
  const [days, setDays] = useState(30);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [path, setPath] = useState<{ customer: Customer; forecast: CustomerForecast } | null>(null);

  const search = async () => {
    setError(null);
    try {
      setMatches(await customersApi.search(query, 10));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const forecastFor = async (customer: Customer) => {
    setBusy(true);
    setError(null);
    try {
      const forecast = await journeysApi.forecastCustomer(graph, customer.id, days);
      setPath({ customer, forecast });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const nameOf = (nodeId: string, label: string | undefined, kind: string) => label ?? t(`kinds.${kind}.name`, { defaultValue: graph.nodes.find((n) => n.id === nodeId)?.kind ?? kind });
  const outcomeOf = (nodeId: string, kind: string, outcome: string) => {
    if (waitingOutcomes.has(outcome)) return t(`forecast.path.outcomes.${outcome}`);
    if (kind === 'exit') return t(`forecast.path.reasons.${outcome}`, { defaultValue: outcome });
    return t('forecast.path.took', { exit: exitLabel(graph, nodeId, outcome) ?? t(`exits.${outcome}`, { defaultValue: outcome }) });
  };
  const when = (iso: string, timeZone: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
  const f = path?.forecast;

  return (
    <section className="customer-path" aria-label={t('forecast.path.title')}>
      <h3>{t('forecast.path.title')}</h3>
      <p className="muted small">{t('forecast.path.intro')}</p>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label className="form-row">
          <span>{t('forecast.path.search')}</span>
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t('forecast.path.placeholder')} />
        </label>
        <label className="form-row">
          <span>{t('forecast.days')}</span>
          <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(Math.min(365, Math.max(1, Number(e.target.value) || 1)))} />
        </label>
        <div className="button-row">
          <button type="submit" className="btn">{t('forecast.path.find')}</button>
        </div>
      </form>
      {matches !== null && matches.length === 0 && <p className="muted small">{t('forecast.path.noMatches')}</p>}
      {matches !== null && matches.length > 0 && (
        <ul className="plain-list" aria-label={t('forecast.path.matches')}>
          {matches.map((c) => (
            <li key={c.id}>
              <button type="button" className="btn btn-link" disabled={!canRun || busy} onClick={() => void forecastFor(c)}>
                {c.name ?? c.id} <span className="muted small">{c.email ?? c.phone ?? c.id}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {!canRun && <p className="muted small">{t('forecast.fixFirst')}</p>}
      {busy && <p className="muted small">{t('forecast.running')}</p>}
      {error && <p className="error-text">{error}</p>}
      {path && f && (
        <div className="forecast-result" data-testid="customer-path">
          <h4>{t('forecast.path.of', { name: path.customer.name ?? path.customer.id, timezone: f.timezone })}</h4>
          {!f.entered && <p>{t('forecast.path.notEntered')}</p>}
          {f.entered && (
            <>
              <h5>{t('forecast.path.actions')}</h5>
              {f.actions.length === 0 ? (
                <p className="muted small">{t('forecast.path.noActions')}</p>
              ) : (
                <ol aria-label={t('forecast.path.actions')}>
                  {f.actions.map((a) => (
                    <li key={`${a.nodeId}-${a.at}`}>
                      <time dateTime={a.at}>{when(a.at, f.timezone)}</time> · {nameOf(a.nodeId, a.label, a.kind)} · {t(`forecast.path.actionOutcomes.${a.outcome}`)}
                    </li>
                  ))}
                </ol>
              )}
              <h5>{t('forecast.path.steps')}</h5>
              <ol aria-label={t('forecast.path.steps')}>
                {f.steps
                  .filter((s) => s.outcome !== 'entered')
                  .map((s, i) => (
                    <li key={`${s.nodeId}-${s.at}-${i}`}>
                      <time dateTime={s.at}>{when(s.at, f.timezone)}</time> · {nameOf(s.nodeId, s.label, s.kind)} · {outcomeOf(s.nodeId, s.kind, s.outcome)}
                    </li>
                  ))}
              </ol>
              <p>{f.completion ? t('forecast.path.ends', { reason: t(`forecast.path.reasons.${f.completion.reason}`), at: when(f.completion.at, f.timezone) }) : t('forecast.path.stillIn', { days: f.days })}</p>
            </>
          )}
          <h5>{t('forecast.path.assumptionsTitle')}</h5>
          <ul className="muted small">
            {f.assumptions.map((a) => (
              <li key={a}>{t(`forecast.path.assumptions.${a}`)}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
