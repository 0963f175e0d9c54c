import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { routeHref } from '../../app/route.ts';
import { customersApi } from '../../client/customers.ts';
import type { JourneyRun } from '../../client/customers.ts';
import { journeysApi } from '../../client/journeys.ts';
import { useConsoleFormat } from '../shared/format.ts';
import { messageOf, useLoad } from '../shared/useLoad.ts';

interface RunView {
  run: JourneyRun;
  journeyName: string;
  nodeLabel: string | null;
}

/** The customer's runs with the journey's name and the label of the step they are at. */
async function loadRuns(customerId: string): Promise<RunView[]> {
  const [runs, journeys] = await Promise.all([customersApi.runs(customerId), journeysApi.list()]);
  const names = new Map(journeys.map((j) => [j.id, j.name]));
  return Promise.all(
    runs.map(async (run) => {
      let nodeLabel: string | null = null;
      if (run.nodeId !== null) {
        const version = await journeysApi.version(run.journeyId, run.version).catch(() => null);
        const node = version?.graph.nodes.find((n) => n.id === run.nodeId);
        nodeLabel = node?.label ?? run.nodeId;
      }
      return { run, journeyName: names.get(run.journeyId) ?? run.journeyId, nodeLabel };
    }),
  );
}

/** "In these journeys": where the customer is and what they wait for; remove them from one. */
export function CustomerJourneys({ customerId, onRemoved }: { customerId: string; onRemoved: () => void }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const runs = useLoad(() => loadRuns(customerId), customerId);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const remove = async (journeyId: string) => {
    setError(null);
    try {
      await customersApi.removeFromJourney(journeyId, customerId);
      setConfirming(null);
      runs.reload();
      onRemoved();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <section className="card" aria-labelledby="customer-journeys">
      <h2 id="customer-journeys">{t('customers.journeys')}</h2>
      {runs.error && <p className="error-text">{runs.error}</p>}
      {error && <p className="error-text" role="alert">{error}</p>}
      {runs.data?.length === 0 && <p className="muted small">{t('customers.noJourneys')}</p>}
      <ul className="run-list">
        {runs.data?.map(({ run, journeyName, nodeLabel }) => (
          <li key={`${run.journeyId}:${run.startedAt}`} className="run-item" data-testid="customer-run">
            <div>
              <a href={routeHref({ screen: 'journey', journeyId: run.journeyId })}>{journeyName}</a> <span className="muted small">v{run.version}</span>{' '}
              <span className={`badge run-${run.status}`}>{t(`customers.runStatus.${run.status}`)}</span>
            </div>
            {run.status === 'running' && nodeLabel && (
              <div className="small">
                {t('customers.atStep', { step: nodeLabel })}
                {run.waitingFor.length > 0 && ` · ${t('customers.waitingFor', { events: run.waitingFor.map((e) => t(`customers.events.${e}`, { defaultValue: e })).join(', ') })}`}
                {run.waitingUntil && ` · ${t('customers.until', { when: f.dateTime(run.waitingUntil) })}`}
              </div>
            )}
            <div className="muted small">{t('customers.since', { when: f.dateTime(run.startedAt) })}</div>
            {run.status === 'running' &&
              (confirming === run.journeyId ? (
                <div className="button-row">
                  <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(run.journeyId)}>
                    {t('customers.confirmRemove')}
                  </button>
                  <button type="button" className="btn btn-small btn-ghost" onClick={() => setConfirming(null)}>
                    {t('common.cancel')}
                  </button>
                </div>
              ) : (
                <button type="button" className="btn btn-small" onClick={() => setConfirming(run.journeyId)}>
                  {t('customers.remove')}
                </button>
              ))}
          </li>
        ))}
      </ul>
    </section>
  );
}
