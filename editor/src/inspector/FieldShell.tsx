import { useId } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** Turns `dueInHours` into "Due in hours" for fields without a translation. */
export function humanize(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The label of a config field in the UI language. */
export function useFieldLabel(name: string): string {
  const { t } = useTranslation();
  return t(`fields.${name}`, { defaultValue: humanize(name) });
}

/** A labelled form row with its problems underneath; `children` receives the input's id. */
export function FieldShell({ name, errors, hint, children }: { name: string; errors?: readonly string[] | undefined; hint?: ReactNode; children: (id: string, describedBy: string | undefined) => ReactNode }) {
  const id = useId();
  const label = useFieldLabel(name);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [errors?.length ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`form-row${errors?.length ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {hint && (
        <div id={hintId} className="hint">
          {hint}
        </div>
      )}
      {errors?.length ? (
        <div id={errorId} className="field-error" role="alert">
          {errors.join(' ')}
        </div>
      ) : null}
    </div>
  );
}
