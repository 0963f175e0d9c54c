import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { campaignsApi } from '../client/campaigns.ts';
import type { Campaign } from '../client/campaigns.ts';
import type { DraftGraph } from '../graph/draft.ts';
import { useFormat } from '../i18n/format.ts';
import { isRecord } from '../inspector/jsonSchema.ts';
import { useCatalog } from '../inspector/context.ts';
import { CampaignProgressView } from './CampaignProgress.tsx';

/** The segment and rate an audience trigger names, as the dialog's starting values. */
function triggerDefaults(graph: DraftGraph): { segment: string; rate: number } {
  const trigger = graph.nodes.find((n) => n.kind === 'audience');
  const config = isRecord(trigger?.config) ? trigger.config : {};
  return {
    segment: typeof config['segment'] === 'string' ? config['segment'] : '',
    rate: typeof config['sendRatePerMinute'] === 'number' ? config['sendRatePerMinute'] : 100,
  };
}

/** Launch the published journey as a campaign: segment, audience count, send rate; then its progress. */
export function LaunchDialog({ journeyId, graph, onClose }: { journeyId: string; graph: DraftGraph; onClose: () => void }) {
  const journeyName = graph.name;
  const { t } = useTranslation();
  const f = useFormat();
  const { segments } = useCatalog();
  const ref = useRef<HTMLDialogElement>(null);
  const initial = triggerDefaults(graph);
  const [segment, setSegment] = useState(initial.segment || segments[0]?.id || '');
  const [rate, setRate] = useState<number | null>(initial.rate);
  const [count, setCount] = useState<{ segment: string; value: number | null; error?: string } | null>(null);
  const [campaign, setCampaign] = useState<Campaign | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Empty: launch now; otherwise a local date and time (`datetime-local`).
  const [at, setAt] = useState<string | null>(null);
  const [askApproval, setAskApproval] = useState(false);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  useEffect(() => {
    if (!segment) return;
    let live = true;
    campaignsApi.count({ segments: [segment] }).then(
      (value) => live && setCount({ segment, value }),
      (e: unknown) => live && setCount({ segment, value: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [segment]);
  const launch = async () => {
    if (!segment || !rate || rate <= 0) return;
    setBusy(true);
    setError(null);
    try {
      // The dialog asks per minute, as the trigger does; the API takes a rate per second.
      const scheduledAt = at ? new Date(at).toISOString() : undefined;
      setCampaign(
        await campaignsApi.launch({
          name: `${journeyName} → ${segment}`,
          journeyId,
          audience: { segments: [segment] },
          ratePerSecond: rate / 60,
          ...(scheduledAt ? { scheduledAt } : {}),
          ...(askApproval ? { requireApproval: true } : {}),
        }),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const options = segment && !segments.some((s) => s.id === segment) ? [{ id: segment, name: segment }, ...segments] : segments;
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="launch-title" onClose={onClose}>
      <h2 id="launch-title">{t('launch.title')}</h2>
      {campaign?.status === 'pendingApproval' ? (
        <p role="status" data-testid="launch-outcome">{t('launch.pending')}</p>
      ) : campaign?.status === 'scheduled' ? (
        <p role="status" data-testid="launch-outcome">{t('launch.scheduledFor', { when: f.dateTime(campaign.scheduledAt ?? '') })}</p>
      ) : campaign ? (
        <CampaignProgressView initial={campaign} />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void launch();
          }}
        >
          <label className="form-row">
            <span>{t('launch.segment')}</span>
            <select value={segment} onChange={(e) => setSegment(e.target.value)} required>
              <option value="">{t('inspector.choose')}</option>
              {options.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name ?? s.id}
                </option>
              ))}
            </select>
          </label>
          <p className="audience" role="status" data-testid="audience-count">
            {count?.segment === segment && count.value !== null ? t('launch.audience', { count: count.value, formatted: f.number(count.value) }) : count?.error ? count.error : segment ? t('common.loading') : ''}
          </p>
          <label className="form-row">
            <span>{t('launch.rate')}</span>
            <input type="number" min={1} max={100000} required value={rate ?? ''} onChange={(e) => setRate(e.target.value === '' ? null : Number(e.target.value))} />
          </label>
          <fieldset className="form-row">
            <legend>{t('launch.when')}</legend>
            <label>
              <input type="radio" name="launch-when" checked={at === null} onChange={() => setAt(null)} /> {t('launch.now')}
            </label>
            <label>
              <input type="radio" name="launch-when" checked={at !== null} onChange={() => setAt('')} /> {t('launch.later')}
            </label>
            {at !== null && (
              <label className="form-row">
                <span>{t('launch.at')}</span>
                <input type="datetime-local" required value={at} onChange={(e) => setAt(e.target.value)} />
              </label>
            )}
          </fieldset>
          <label className="form-row inline">
            <input type="checkbox" checked={askApproval} onChange={(e) => setAskApproval(e.target.checked)} /> <span>{t('launch.askApproval')}</span>
          </label>
          {error && (
            <p className="error-text" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => ref.current?.close()}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy || !segment || !rate}>
              {t('launch.confirm')}
            </button>
          </div>
        </form>
      )}
      {campaign && (
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => ref.current?.close()}>
            {t('common.close')}
          </button>
        </div>
      )}
    </dialog>
  );
}
