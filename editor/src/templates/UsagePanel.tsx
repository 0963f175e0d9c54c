import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { routeHref } from '../app/route.ts';
import { templatesApi } from '../client/templates.ts';
import type { PreviewOptions, TemplateUsage } from '../client/templates.ts';
import { messageOf } from '../console/shared/useLoad.ts';

/** "Used by": the journeys and steps that send the template, and who may still receive it. */
export function UsedBy({ usage }: { usage: TemplateUsage | null }) {
  const { t } = useTranslation();
  if (usage === null) return <p className="muted">{t('common.loading')}</p>;
  if (usage.journeys.length === 0) return <p className="muted">{t('templates.usage.none')}</p>;
  return (
    <ul className="usage-list">
      {usage.journeys.map((j) => {
        const steps = j.liveSteps.length > 0 ? j.liveSteps : j.draftSteps;
        return (
          <li key={j.journeyId}>
            <a href={routeHref({ screen: 'journey', journeyId: j.journeyId })}>{j.name}</a>{' '}
            <span className={`badge badge-${j.status}`}>{t(`journeys.status.${j.status}`, { defaultValue: j.status })}</span>
            <div className="muted small">
              {t('templates.usage.steps', { steps: steps.map((s) => s.label ?? s.nodeId).join(', ') })}
              {j.waiting > 0 ? ` · ${t('templates.usage.waiting', { count: j.waiting })}` : ''}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** A test send of the saved template to an address or number typed here. */
export function TestSend({ templateId, channel, options, locale }: { templateId: string; channel: 'email' | 'sms'; options: PreviewOptions; locale: string }) {
  const { t } = useTranslation();
  const [to, setTo] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    try {
      const sent = await templatesApi.testSend(templateId, to.trim(), { ...options, locale });
      setResult({ ok: true, text: t('templates.testSend.sent', { to: sent.to, locale: sent.locale }) });
    } catch (e) {
      setResult({ ok: false, text: messageOf(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="test-send"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label className="field">
        <span>{t(channel === 'email' ? 'templates.testSend.toEmail' : 'templates.testSend.toPhone')}</span>
        <input value={to} onChange={(e) => setTo(e.target.value)} placeholder={channel === 'email' ? 'you@example.com' : '+14155550100'} />
      </label>
      <button type="submit" className="btn" disabled={busy || to.trim() === ''}>
        {t('templates.testSend.send')}
      </button>
      {result && (
        <p className={result.ok ? 'ok-text' : 'error-text'} role="status">
          {result.text}
        </p>
      )}
      <p className="muted small">{t('templates.testSend.hint')}</p>
    </form>
  );
}
