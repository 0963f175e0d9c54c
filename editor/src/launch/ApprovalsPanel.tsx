import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { approvalsApi, campaignsApi } from '../client/campaigns.ts';
import type { Campaign } from '../client/campaigns.ts';
import { useConsoleFormat } from '../console/shared/format.ts';
import { messageOf, useLoad } from '../console/shared/useLoad.ts';

type Decide = (action: 'approve' | 'reject', reason?: string) => Promise<unknown>;

/** Approve, or reject with a reason typed into the row. */
function DecisionButtons({ label, decide, onDone }: { label: string; decide: Decide; onDone: (error: string | null) => void }) {
  const { t } = useTranslation();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const run = (action: 'approve' | 'reject') => decide(action, action === 'reject' ? reason : undefined).then(() => onDone(null), (e: unknown) => onDone(messageOf(e)));
  if (rejecting) {
    return (
      <form className="button-row" onSubmit={(e) => (e.preventDefault(), void run('reject'))}>
        <input aria-label={`${t('approvals.reason')} ${label}`} placeholder={t('approvals.reason')} value={reason} onChange={(e) => setReason(e.target.value)} required />
        <button type="submit" className="btn btn-small btn-danger" disabled={reason.trim() === ''}>
          {t('approvals.confirmReject')}
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => setRejecting(false)}>
          {t('common.cancel')}
        </button>
      </form>
    );
  }
  return (
    <div className="button-row">
      <button type="button" className="btn btn-small btn-primary" aria-label={`${t('approvals.approve')} ${label}`} onClick={() => void run('approve')}>
        {t('approvals.approve')}
      </button>
      <button type="button" className="btn btn-small" aria-label={`${t('approvals.reject')} ${label}`} onClick={() => setRejecting(true)}>
        {t('approvals.reject')}
      </button>
    </div>
  );
}

/**
 * What waits (`GET /v1/approvals`): campaigns and publishes to approve, with who asked and when,
 * and scheduled launches, soonest first; an admin decides here. Also the workspace's rules.
 */
export function ApprovalsPanel({ onChange }: { onChange?: () => void }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const [round, setRound] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const waiting = useLoad(approvalsApi.pending, `approvals:${round}`);
  const settings = useLoad(approvalsApi.settings, `approval-settings:${round}`);
  const done = (e: string | null) => {
    setError(e);
    setRound((r) => r + 1);
    onChange?.();
  };
  const now = Date.now();
  const asked = (a: { requestedBy: string; requestedAt: string } | undefined) => (a ? t('approvals.asked', { by: a.requestedBy, when: f.relative(a.requestedAt, now) }) : '');
  const campaignLine = (c: Campaign) => t('approvals.campaignLine', { journey: c.journeyId, version: c.version, count: f.number(c.audienceCount) });
  const data = waiting.data;
  const nothing = data !== null && data.campaigns.length + data.publishes.length + data.scheduled.length === 0;
  const saveSetting = (key: 'campaigns' | 'publishes', value: boolean) => {
    if (!settings.data) return;
    approvalsApi.saveSettings({ ...settings.data, [key]: value }).then(() => done(null), (e: unknown) => setError(messageOf(e)));
  };
  return (
    <section className="card approvals" aria-labelledby="approvals-title" data-testid="approvals">
      <h2 id="approvals-title">{t('approvals.title')}</h2>
      <p className="muted small">{t('approvals.intro')}</p>
      {(error ?? waiting.error) && <p className="error-text" role="alert">{error ?? waiting.error}</p>}
      {nothing && <p className="muted">{t('approvals.empty')}</p>}
      {data && data.campaigns.length > 0 && (
        <>
          <h3>{t('approvals.campaigns')}</h3>
          <ul className="plain-list">
            {data.campaigns.map((c) => (
              <li key={c.id} data-testid="pending-campaign">
                <strong>{c.name}</strong> · {campaignLine(c)}
                {c.scheduledAt && <> · {t('approvals.launchesAt', { when: f.dateTime(c.scheduledAt) })}</>}
                <div className="muted small">{asked(c.approval)}</div>
                <DecisionButtons label={c.name} decide={(action, reason) => approvalsApi.decideCampaign(c.id, action, reason)} onDone={done} />
              </li>
            ))}
          </ul>
        </>
      )}
      {data && data.publishes.length > 0 && (
        <>
          <h3>{t('approvals.publishes')}</h3>
          <ul className="plain-list">
            {data.publishes.map((p) => (
              <li key={p.id} data-testid="pending-publish">
                {t('approvals.publishLine', { journey: p.journeyId, note: p.note })}
                <div className="muted small">{asked(p.approval)}</div>
                <DecisionButtons label={p.journeyId} decide={(action, reason) => approvalsApi.decidePublish(p.id, action, reason)} onDone={done} />
              </li>
            ))}
          </ul>
        </>
      )}
      {data && data.scheduled.length > 0 && (
        <>
          <h3>{t('approvals.scheduled')}</h3>
          <ul className="plain-list">
            {data.scheduled.map((c) => (
              <li key={c.id} data-testid="scheduled-campaign">
                <strong>{c.name}</strong> · {campaignLine(c)} · {t('approvals.launchesAt', { when: c.scheduledAt ? f.dateTime(c.scheduledAt) : '' })}
                <div className="muted small">
                  {t('campaigns.launched', { when: f.relative(c.createdAt, now), by: c.createdBy })}
                  {c.approval?.decidedBy && <> · {t('approvals.approvedBy', { by: c.approval.decidedBy })}</>}
                </div>
                <button type="button" className="btn btn-small btn-danger" onClick={() => void campaignsApi.control(c.id, 'cancel').then(() => done(null), (e: unknown) => done(messageOf(e)))}>
                  {t('approvals.cancel')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {settings.data && (
        <fieldset className="approval-settings">
          <legend>{t('approvals.settings')}</legend>
          <label className="form-row inline">
            <input type="checkbox" checked={settings.data.campaigns} onChange={(e) => saveSetting('campaigns', e.target.checked)} /> {t('approvals.settingCampaigns')}
          </label>
          <label className="form-row inline">
            <input type="checkbox" checked={settings.data.publishes} onChange={(e) => saveSetting('publishes', e.target.checked)} /> {t('approvals.settingPublishes')}
          </label>
          <p className="muted small">{t('approvals.settingsNote')}</p>
        </fieldset>
      )}
    </section>
  );
}
