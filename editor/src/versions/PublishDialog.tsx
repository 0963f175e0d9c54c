import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { ApiError } from '../client/http.ts';
import { journeysApi } from '../client/journeys.ts';
import type { MigrationPlan } from '../client/journeys.ts';
import { MigrationPlanTable } from './MigrationPlanTable.tsx';
import { MigrationProgressView } from './MigrationProgressView.tsx';

const FieldErrors = z.looseObject({ errors: z.array(z.looseObject({ message: z.string(), path: z.string().optional(), nodeId: z.string().nullable().optional() })) });

/** The server's reasons for refusing a publish or a plan, when it gives them (with the step each names). */
function refusalReasons(error: unknown): Array<{ message: string; nodeId?: string | null | undefined }> {
  if (!(error instanceof ApiError)) return [{ message: error instanceof Error ? error.message : String(error) }];
  const parsed = FieldErrors.safeParse(error.body);
  return parsed.success && parsed.data.errors.length > 0 ? parsed.data.errors : [{ message: error.message }];
}

/**
 * Publish with a note, and the choice for the customers already in the journey: stay on their
 * version, or move (the per-step table, with a target to pick for removed steps). `from`: a
 * rollback, publishing that earlier version again. The server checks again and may refuse; its
 * reasons are shown here. After a publish that moves customers, the migration's progress.
 */
export function PublishDialog({
  journeyId,
  from,
  beforePublish,
  onClose,
  onPublished,
}: {
  journeyId: string;
  from?: number;
  beforePublish: () => Promise<boolean>;
  onClose: () => void;
  onPublished: (version: number) => void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState(from === undefined ? '' : t('migration.rolledBackFrom', { version: from }));
  const [busy, setBusy] = useState(false);
  const [reasons, setReasons] = useState<Array<{ message: string; nodeId?: string | null | undefined }>>([]);
  const [done, setDone] = useState<{ version: number; migrationId?: string | undefined } | null>(null);
  const [inFlight, setInFlight] = useState<'stay' | 'move'>('stay');
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [plan, setPlan] = useState<MigrationPlan | null>(null);
  const [removed, setRemoved] = useState<ReadonlySet<string> | null>(null);
  // Called from the plan's effect: held in a ref so a new function each render does not re-plan.
  const save = useRef(beforePublish);
  save.current = beforePublish;
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  // The plan follows the mapping; the draft is saved first so the plan is of what gets published.
  useEffect(() => {
    if (inFlight !== 'move') return;
    let live = true;
    (async () => {
      if (from === undefined && !(await save.current())) throw new Error(t('publish.saveFirst'));
      const next = await journeysApi.migrationPlan(journeyId, from, mapping);
      if (!live) return;
      setPlan(next);
      setReasons([]);
      setRemoved((r) => r ?? new Set(next.rows.filter((row) => row.target === null).map((row) => row.nodeId)));
    })().catch((error: unknown) => live && setReasons(refusalReasons(error)));
    return () => {
      live = false;
    };
  }, [inFlight, mapping, journeyId, from, t]);
  const publish = async () => {
    setBusy(true);
    setReasons([]);
    try {
      if (from === undefined && !(await beforePublish())) throw new Error(t('publish.saveFirst'));
      const result = await journeysApi.publish(journeyId, { note: note.trim(), from, inFlight, mapping: inFlight === 'move' ? mapping : {} });
      setDone({ version: result.version, migrationId: result.migrationId });
      onPublished(result.version);
    } catch (error) {
      setReasons(refusalReasons(error));
    } finally {
      setBusy(false);
    }
  };
  const byStep = Object.fromEntries(reasons.flatMap((r) => (r.nodeId ? [[r.nodeId, r.message]] : [])));
  const ready = inFlight === 'stay' || plan?.ready === true;
  return (
    <dialog ref={ref} className="dialog dialog-wide" aria-labelledby="publish-title" onClose={onClose}>
      <h2 id="publish-title">{from === undefined ? t('publish.title') : t('migration.rollbackTitle', { version: from })}</h2>
      {done !== null ? (
        <>
          <p className="ok-text" role="status">
            {t('publish.done', { version: done.version })}
          </p>
          {done.migrationId && <MigrationProgressView journeyId={journeyId} migrationId={done.migrationId} />}
        </>
      ) : (
        <>
          <p className="muted">{from === undefined ? t('publish.intro') : t('migration.rollbackIntro', { version: from })}</p>
          <label className="form-row">
            <span>{t('publish.note')}</span>
            <textarea rows={3} required value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} placeholder={t('publish.notePlaceholder')} />
          </label>
          <fieldset className="form-row">
            <legend>{t('migration.inFlight')}</legend>
            <label>
              <input type="radio" name="in-flight" checked={inFlight === 'stay'} onChange={() => setInFlight('stay')} /> {t('migration.stay')}
            </label>
            <label>
              <input type="radio" name="in-flight" checked={inFlight === 'move'} onChange={() => setInFlight('move')} /> {t('migration.move')}
            </label>
          </fieldset>
          {inFlight === 'move' &&
            (plan && removed ? (
              <MigrationPlanTable plan={plan} mapping={mapping} errors={byStep} removed={removed} onChange={setMapping} />
            ) : (
              <p className="muted">{t('migration.loadingPlan')}</p>
            ))}
          {inFlight === 'move' && plan && !plan.ready && <p className="muted small">{t('migration.notReady')}</p>}
          {reasons.length > 0 && (
            <div role="alert" className="refusal">
              <strong>{t('publish.refused')}</strong>
              <ul>
                {reasons.map((r) => (
                  <li key={r.message}>{r.message}</li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => ref.current?.close()}>
          {done !== null ? t('common.close') : t('common.cancel')}
        </button>
        {done === null && (
          <button type="button" className="btn btn-primary" disabled={busy || note.trim() === '' || !ready} onClick={() => void publish()}>
            {busy ? t('publish.publishing') : t('publish.confirm')}
          </button>
        )}
      </div>
    </dialog>
  );
}
