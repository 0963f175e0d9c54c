import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Campaign } from '../../client/campaigns.ts';
import { journeysApi } from '../../client/journeys.ts';
import { ledgerApi } from '../../client/ledger.ts';
import { useConsoleFormat } from '../shared/format.ts';
import { useLoad } from '../shared/useLoad.ts';
import { campaignOutcome } from './outcome.ts';
import type { CampaignOutcome } from './outcome.ts';

async function loadOutcome(campaign: Campaign): Promise<CampaignOutcome> {
  const [version, stats, messages, coupons] = await Promise.all([
    journeysApi.version(campaign.journeyId, campaign.version),
    journeysApi.stats(campaign.journeyId),
    ledgerApi.messagesOfJourney(campaign.journeyId),
    ledgerApi.couponsOfJourney(campaign.journeyId),
  ]);
  return campaignOutcome(campaign, version.definition, stats, messages, coupons);
}

/** A campaign's outcome: a chart of messages per channel, then the headline numbers. */
export function CampaignOutcomeView({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const [showTable, setShowTable] = useState(false);
  // Reload as the launch advances, about ten times over a campaign, not on every poll.
  const p = campaign.progress;
  const stage = p ? Math.floor((p.started * 10) / Math.max(1, p.audience)) : 0;
  const outcome = useLoad(() => loadOutcome(campaign), `${campaign.id}:${stage}:${campaign.status}:${p?.done === true}`);
  if (outcome.error) return <p className="error-text">{outcome.error}</p>;
  const o = outcome.data;
  if (!o) return <p className="muted">{t('common.loading')}</p>;
  const rate = (r: number | null) => (r === null ? '—' : f.percent(r));
  const data = (['email', 'sms'] as const).map((channel) => ({ channel: t(`options.${channel}`), ...o.channels[channel] }));
  return (
    <section className="outcome" aria-label={t('campaigns.outcome')} data-testid="campaign-outcome">
      <div className="outcome-chart" aria-hidden="true">
        <ResponsiveContainer width="100%" height={180}>
          <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" allowDecimals={false} tickFormatter={(v: number) => f.number(v)} />
            <YAxis type="category" dataKey="channel" width={56} />
            <Tooltip formatter={(v) => f.number(Number(v))} />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            <Bar dataKey="sent" name={t('campaigns.sent')} fill="#6366f1" isAnimationActive={false} />
            <Bar dataKey="delivered" name={t('campaigns.delivered')} fill="#14b8a6" isAnimationActive={false} />
            <Bar dataKey="failed" name={t('campaigns.failedMessages')} fill="#ef4444" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <dl className="kpis">
        <div>
          <dt>{t('campaigns.converted')}</dt>
          <dd>
            {f.number(o.converted)} <small>{rate(o.conversionRate)}</small>
          </dd>
        </div>
        <div>
          <dt>{t('campaigns.winBack')}</dt>
          <dd>{rate(o.winBackRate)}</dd>
        </div>
        <div>
          <dt>{t('campaigns.coupons')}</dt>
          <dd>
            {t('campaigns.redeemedOf', { redeemed: f.number(o.couponsRedeemed), issued: f.number(o.couponsIssued) })}{' '}
            <small>{rate(o.couponsIssued === 0 ? null : o.couponsRedeemed / o.couponsIssued)}</small>
          </dd>
        </div>
        <div>
          <dt>{t('campaigns.lift')}</dt>
          <dd>
            {o.lift ? (
              <>
                {t('campaigns.liftValue', { points: f.number(o.lift.absolute * 100, 1) })}{' '}
                <small className={o.lift.significant ? 'ok-text' : 'muted'}>{o.lift.significant ? t('campaigns.significant') : t('campaigns.notSignificant')}</small>
              </>
            ) : (
              <small className="muted">{t('campaigns.noHoldout')}</small>
            )}
          </dd>
        </div>
      </dl>
      <button type="button" className="btn btn-small btn-ghost outcome-toggle" aria-expanded={showTable} onClick={() => setShowTable((s) => !s)}>
        {showTable ? t('console.hideTable') : t('console.showTable')}
      </button>
      {showTable && (
        <table className="table compact">
          <caption className="sr-only">{t('campaigns.outcome')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('campaigns.channel')}</th>
              <th scope="col">{t('campaigns.sent')}</th>
              <th scope="col">{t('campaigns.delivered')}</th>
              <th scope="col">{t('campaigns.failedMessages')}</th>
            </tr>
          </thead>
          <tbody>
            {data.map((row) => (
              <tr key={row.channel}>
                <th scope="row">{row.channel}</th>
                <td>{f.number(row.sent)}</td>
                <td>{f.number(row.delivered)}</td>
                <td>{f.number(row.failed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">{t('campaigns.outcomeNote', { entered: f.number(o.entered) })}</p>
    </section>
  );
}
