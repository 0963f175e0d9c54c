import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { ApiError } from '../client/http.ts';
import { journeysApi } from '../client/journeys.ts';

const FieldErrors = z.looseObject({ errors: z.array(z.looseObject({ message: z.string(), path: z.string().optional() })) });

/** The server's reasons for refusing a publish, when it gives them. */
function refusalReasons(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [error instanceof Error ? error.message : String(error)];
  const parsed = FieldErrors.safeParse(error.body);
  return parsed.success && parsed.data.errors.length > 0 ? parsed.data.errors.map((e) => e.message) : [error.message];
}

/** Publish with a note. The server compiles again and may refuse; its reasons are shown here. */
export function PublishDialog({ journeyId, beforePublish, onClose, onPublished }: { journeyId: string; beforePublish: () => Promise<boolean>; onClose: () => void; onPublished: (version: number) => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [reasons, setReasons] = useState<string[]>([]);
  const [done, setDone] = useState<number | null>(null);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  const publish = async () => {
    setBusy(true);
    setReasons([]);
    try {
      if (!(await beforePublish())) throw new Error(t('publish.saveFirst'));
      const { version } = await journeysApi.publish(journeyId, note.trim());
      setDone(version);
      onPublished(version);
    } catch (error) {
      setReasons(refusalReasons(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="publish-title" onClose={onClose}>
      <h2 id="publish-title">{t('publish.title')}</h2>
      {done !== null ? (
        <p className="ok-text" role="status">
          {t('publish.done', { version: done })}
        </p>
      ) : (
        <>
          <p className="muted">{t('publish.intro')}</p>
          <label className="form-row">
            <span>{t('publish.note')}</span>
            <textarea rows={3} required value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} placeholder={t('publish.notePlaceholder')} />
          </label>
          {reasons.length > 0 && (
            <div role="alert" className="refusal">
              <strong>{t('publish.refused')}</strong>
              <ul>
                {reasons.map((r) => (
                  <li key={r}>{r}</li>
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
          <button type="button" className="btn btn-primary" disabled={busy || note.trim() === ''} onClick={() => void publish()}>
            {busy ? t('publish.publishing') : t('publish.confirm')}
          </button>
        )}
      </div>
    </dialog>
  );
}
