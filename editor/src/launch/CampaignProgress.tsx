import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { campaignsApi, progressFraction, shownStatus } from '../client/campaigns.ts';
import type { Campaign } from '../client/campaigns.ts';
import { useFormat } from '../i18n/format.ts';

const finished = new Set(['completed', 'cancelled']);

/** A campaign's progress bar, refreshed every second, with pause, resume and cancel. */
export function CampaignProgressView({ initial }: { initial: Campaign }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [campaign, setCampaign] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const over = finished.has(campaign.status) || campaign.progress?.done === true;
  useEffect(() => {
    if (over) return;
    const timer = window.setInterval(() => {
      campaignsApi.get(initial.id).then(setCampaign, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    }, 1000);
    return () => window.clearInterval(timer);
  }, [initial.id, over]);
  const control = (action: 'pause' | 'resume' | 'cancel') => {
    campaignsApi
      .control(campaign.id, action)
      .then(() => campaignsApi.get(campaign.id))
      .then(setCampaign, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  const fraction = progressFraction(campaign);
  const p = campaign.progress;
  return (
    <section className="campaign-progress" aria-label={t('launch.progress')}>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(fraction * 100)} aria-label={t('launch.progress')} data-testid="campaign-progress">
        <div className="progress-bar" style={{ width: `${fraction * 100}%` }} />
      </div>
      <p className="progress-text">
        <strong>{f.percent(fraction)}</strong> · {t(`launch.status.${shownStatus(campaign)}`)}
        {p && ` · ${t('launch.counts', { started: f.number(p.started), audience: f.number(p.audience), skipped: f.number(p.skipped), failed: f.number(p.failed) })}`}
        {p?.starting ? ` · ${t('launch.starting', { sent: f.number(p.starting) })}` : ''}
      </p>
      {error && <p className="error-text">{error}</p>}
      {!over && (
        <div className="button-row">
          {campaign.status === 'paused' ? (
            <button type="button" className="btn" onClick={() => control('resume')}>
              {t('launch.resume')}
            </button>
          ) : (
            <button type="button" className="btn" onClick={() => control('pause')}>
              {t('launch.pause')}
            </button>
          )}
          <button type="button" className="btn btn-danger" onClick={() => control('cancel')}>
            {t('launch.cancel')}
          </button>
        </div>
      )}
    </section>
  );
}
