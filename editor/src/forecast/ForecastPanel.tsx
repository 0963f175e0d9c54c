import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DraftGraph } from '../graph/draft.ts';
import { useFormat } from '../i18n/format.ts';
import { toForecast } from './forecast.ts';
import type { ForecastRequest, ForecastResponse, ForecastResult } from './forecast.ts';

/** Runs the simulator in a Web Worker for N synthetic customers over D days and overlays the result. */
export function ForecastPanel({ graph, canRun, result, onResult }: { graph: DraftGraph; canRun: boolean; result: ForecastResult | null; onResult: (r: ForecastResult | null) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [customers, setCustomers] = useState(1000);
  const [days, setDays] = useState(30);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const worker = useRef<Worker | null>(null);
  useEffect(() => () => worker.current?.terminate(), []);
  const run = () => {
    worker.current?.terminate();
    const w = new Worker(new URL('./forecast.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    setRunning(true);
    setError(null);
    w.onmessage = (e: MessageEvent<ForecastResponse>) => {
      setRunning(false);
      if (e.data.ok) onResult(toForecast(e.data.report));
      else setError(e.data.message);
      w.terminate();
    };
    w.onerror = (e) => {
      setRunning(false);
      setError(e.message);
    };
    const request: ForecastRequest = { graph, customers, days, seed: 42, start: Date.now() };
    w.postMessage(request);
  };
  const r = result?.report;
  return (
    <section className="forecast" aria-label={t('forecast.title')}>
      <p className="muted small">{t('forecast.intro')}</p>
      <div className="form-grid">
        <label className="form-row">
          <span>{t('forecast.customers')}</span>
          <input type="number" min={10} max={100000} step={100} value={customers} onChange={(e) => setCustomers(Math.max(10, Number(e.target.value) || 10))} />
        </label>
        <label className="form-row">
          <span>{t('forecast.days')}</span>
          <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(Math.max(1, Number(e.target.value) || 1))} />
        </label>
      </div>
      <div className="button-row">
        <button type="button" className="btn btn-primary" disabled={!canRun || running} onClick={run}>
          {running ? t('forecast.running') : t('forecast.run')}
        </button>
        {result && (
          <button type="button" className="btn" onClick={() => onResult(null)}>
            {t('forecast.clear')}
          </button>
        )}
      </div>
      {!canRun && <p className="muted small">{t('forecast.fixFirst')}</p>}
      {error && <p className="error-text">{error}</p>}
      {r && (
        <div className="forecast-result" data-testid="forecast-result">
          <dl className="stat-grid">
            <div><dt>{t('forecast.entered')}</dt><dd>{f.number(r.entered)}</dd></div>
            <div><dt>{t('forecast.converted')}</dt><dd>{f.number(r.conversions.converted)} ({f.percent(r.conversions.rate)})</dd></div>
            <div><dt>{t('forecast.emails')}</dt><dd>{f.number(r.messages.email.sent)}</dd></div>
            <div><dt>{t('forecast.sms')}</dt><dd>{f.number(r.messages.sms.sent)}</dd></div>
            <div><dt>{t('forecast.coupons')}</dt><dd>{f.number(r.coupons.issued)}</dd></div>
            <div><dt>{t('forecast.tasks')}</dt><dd>{f.number(r.tasks.created)}</dd></div>
          </dl>
          {r.conversions.arms.length > 0 && (
            <table className="arm-table">
              <caption>{t('forecast.arms')}</caption>
              <thead>
                <tr><th>{t('forecast.arm')}</th><th>{t('forecast.entered')}</th><th>{t('forecast.converted')}</th><th>{t('forecast.rate')}</th></tr>
              </thead>
              <tbody>
                {r.conversions.arms.map((a) => (
                  <tr key={`${a.splitNodeId}.${a.arm}`}>
                    <td>{a.holdout ? t('forecast.holdout') : a.arm} <span className="muted small">({a.splitNodeId})</span></td>
                    <td>{f.number(a.entered)}</td>
                    <td>{f.number(a.converted)}</td>
                    <td>{f.percent(a.rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
