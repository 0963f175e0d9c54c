import { useTranslation } from 'react-i18next';
import type { Campaign } from '../../client/campaigns.ts';
import { progressFraction } from '../../client/campaigns.ts';
import { useConsoleFormat } from '../shared/format.ts';

/**
 * A campaign's progress: started, skipped and failed as parts of one bar over the audience, and
 * while a launch starts runs behind its sends, those sent whose runs are starting.
 */
export function StackedProgress({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const p = campaign.progress;
  const total = p?.audience ?? campaign.audienceCount;
  const fraction = progressFraction(campaign);
  const part = (n: number) => (total === 0 ? 0 : (n / total) * 100);
  return (
    <div className="stacked-progress">
      <div
        className="progress stacked"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
        aria-label={t('campaigns.progress', { name: campaign.name })}
        data-testid="campaign-progress"
      >
        {p && (
          <>
            <span className="seg seg-started" style={{ width: `${part(p.started)}%` }} />
            {p.starting ? <span className="seg seg-starting" style={{ width: `${part(p.starting)}%` }} /> : null}
            <span className="seg seg-skipped" style={{ width: `${part(p.skipped)}%` }} />
            <span className="seg seg-failed" style={{ width: `${part(p.failed)}%` }} />
          </>
        )}
      </div>
      <p className="progress-legend small">
        <strong>{f.percent(fraction)}</strong>
        <span>{t('campaigns.total', { count: total, formatted: f.number(total) })}</span>
        <span>
          <i className="key seg-started" /> {t('campaigns.started', { formatted: f.number(p?.started ?? 0) })}
        </span>
        {p?.starting ? (
          <span>
            <i className="key seg-starting" /> {t('campaigns.starting', { formatted: f.number(p.starting) })}
          </span>
        ) : null}
        <span>
          <i className="key seg-skipped" /> {t('campaigns.skipped', { formatted: f.number(p?.skipped ?? 0) })}
        </span>
        <span>
          <i className="key seg-failed" /> {t('campaigns.failed', { formatted: f.number(p?.failed ?? 0) })}
        </span>
      </p>
    </div>
  );
}
