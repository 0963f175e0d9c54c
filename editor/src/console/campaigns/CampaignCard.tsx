import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { routeHref } from '../../app/route.ts';
import { campaignsApi, shownStatus } from '../../client/campaigns.ts';
import type { Campaign } from '../../client/campaigns.ts';
import { useConsoleFormat } from '../shared/format.ts';
import { messageOf } from '../shared/useLoad.ts';
import { CampaignOutcomeView } from './CampaignOutcomeView.tsx';
import { StackedProgress } from './StackedProgress.tsx';

const live = (c: Campaign) => (c.status === 'running' || c.status === 'paused') && c.progress?.done !== true;

/** One campaign: status, progress (polled while it runs), controls and, on demand, its outcome. */
export function CampaignCard({ initial, journeyName, pollMs = 2000, defaultOpen = false }: { initial: Campaign; journeyName: string; pollMs?: number; defaultOpen?: boolean }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const [campaign, setCampaign] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(defaultOpen);
  const running = live(campaign);
  useEffect(() => {
    let stopped = false;
    const refresh = () => campaignsApi.get(initial.id).then((c) => !stopped && setCampaign(c), (e: unknown) => !stopped && setError(messageOf(e)));
    void refresh();
    if (!running) return () => void (stopped = true);
    const timer = window.setInterval(() => void refresh(), pollMs);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [initial.id, running, pollMs]);
  const control = (action: 'pause' | 'resume' | 'cancel') => {
    setError(null);
    campaignsApi
      .control(campaign.id, action)
      .then(setCampaign, (e: unknown) => setError(messageOf(e)));
  };
  return (
    <article className="card campaign-card" aria-labelledby={`campaign-${campaign.id}`} data-testid="campaign-card">
      <header className="campaign-head">
        <div>
          <h2 id={`campaign-${campaign.id}`}>{campaign.name}</h2>
          <p className="muted small">
            <a href={routeHref({ screen: 'journey', journeyId: campaign.journeyId })}>{journeyName}</a> v{campaign.version} ·{' '}
            {t('campaigns.launched', { when: f.dateTime(campaign.createdAt), by: campaign.createdBy })} · {t('campaigns.rate', { rate: f.number(campaign.ratePerSecond * 60, 1) })}
          </p>
        </div>
        <span className={`badge campaign-${shownStatus(campaign)}`}>{t(`launch.status.${shownStatus(campaign)}`)}</span>
      </header>
      <StackedProgress campaign={campaign} />
      {error && <p className="error-text" role="alert">{error}</p>}
      <div className="button-row">
        {running && campaign.status === 'running' && (
          <button type="button" className="btn btn-small" onClick={() => control('pause')}>
            {t('launch.pause')}
          </button>
        )}
        {campaign.status === 'paused' && (
          <button type="button" className="btn btn-small" onClick={() => control('resume')}>
            {t('launch.resume')}
          </button>
        )}
        {running && (
          <button type="button" className="btn btn-small btn-danger" onClick={() => control('cancel')}>
            {t('launch.cancel')}
          </button>
        )}
        <button type="button" className="btn btn-small btn-ghost" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          {open ? t('campaigns.hideOutcome') : t('campaigns.showOutcome')}
        </button>
      </div>
      {open && <CampaignOutcomeView campaign={campaign} />}
    </article>
  );
}
