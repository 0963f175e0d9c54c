import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { campaignsApi } from '../../client/campaigns.ts';
import { journeysApi } from '../../client/journeys.ts';
import { useLoad } from '../shared/useLoad.ts';
import { ApprovalsPanel } from '../../launch/ApprovalsPanel.tsx';
import { CampaignCard } from './CampaignCard.tsx';
import '../console.css';

async function loadCampaigns() {
  const [campaigns, journeys] = await Promise.all([campaignsApi.list(), journeysApi.list()]);
  const names = new Map(journeys.map((j) => [j.id, j.name]));
  // Newest first: the API lists oldest first.
  return [...campaigns].reverse().map((campaign) => ({ campaign, journeyName: names.get(campaign.journeyId) ?? campaign.journeyId }));
}

/** Every campaign, newest first, with live progress, controls and outcomes. */
export function CampaignsPage() {
  const { t } = useTranslation();
  // Refresh loads the list again and remounts the cards, so their outcomes load again too.
  const [round, setRound] = useState(0);
  const list = useLoad(loadCampaigns, `campaigns:${round}`);
  return (
    <section className="page console-page">
      <div className="page-head">
        <div>
          <h1>{t('campaigns.title')}</h1>
          <p className="muted small">{t('campaigns.intro')}</p>
        </div>
        <button type="button" className="btn" onClick={() => setRound((r) => r + 1)}>
          {t('tasks.refresh')}
        </button>
      </div>
      <ApprovalsPanel onChange={() => setRound((r) => r + 1)} />
      {list.error && <p className="error-text" role="alert">{list.error}</p>}
      {!list.data && !list.error && <p className="muted">{t('common.loading')}</p>}
      {list.data?.length === 0 && <p className="muted">{t('campaigns.empty')}</p>}
      <div className="campaign-list">
        {list.data?.map(({ campaign, journeyName }, i) => (
          <CampaignCard key={`${campaign.id}:${round}`} initial={campaign} journeyName={journeyName} defaultOpen={i === 0} />
        ))}
      </div>
    </section>
  );
}
