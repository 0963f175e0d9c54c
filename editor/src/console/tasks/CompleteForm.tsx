import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { taskOutcomes } from './inbox.ts';

/** Completing a task: one outcome from the list, and a note. */
export function CompleteForm({ disabled, busy, onComplete }: { disabled: boolean; busy: boolean; onComplete: (outcome: string, note: string) => void }) {
  const { t } = useTranslation();
  const [outcome, setOutcome] = useState<string>('');
  const [note, setNote] = useState('');
  return (
    <form
      className="complete-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (outcome) onComplete(outcome, note.trim());
      }}
    >
      <fieldset disabled={disabled}>
        <legend>{t('tasks.outcomeLabel')}</legend>
        <div className="outcome-choices">
          {taskOutcomes.map((o) => (
            <label key={o} className="choice outcome-choice">
              <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} />
              {t(`tasks.outcomes.${o}`)}
            </label>
          ))}
        </div>
        <label className="field">
          <span>{t('tasks.note')}</span>
          <textarea rows={2} value={note} placeholder={t('tasks.notePlaceholder')} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="submit" className="btn btn-primary" disabled={!outcome}>
          {busy ? t('tasks.completing') : t('tasks.complete')}
        </button>
      </fieldset>
    </form>
  );
}
