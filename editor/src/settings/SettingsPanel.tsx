import { useTranslation } from 'react-i18next';
import type { CompileError } from '../../../journey/compile/errors.ts';
import { JourneySettings } from '../../../journey/settings.ts';
import { jsonSchemaOf } from '../inspector/jsonSchema.ts';
import { isRecord } from '../inspector/jsonSchema.ts';
import { SchemaField } from '../inspector/SchemaField.tsx';
import { useEditor, useEditorStore } from '../state/editorStore.ts';
import { settingsErrors } from '../validation/validate.ts';

/** Journey-wide settings: name, goal, re-entry, quiet hours, frequency caps, audience filter. */
export function SettingsPanel({ errors, readOnly }: { errors: readonly CompileError[]; readOnly: boolean }) {
  const { t } = useTranslation();
  const store = useEditorStore();
  const name = useEditor((s) => s.history.present.name);
  const settings = useEditor((s) => s.history.present.settings);
  const root = jsonSchemaOf(JourneySettings);
  return (
    <form className="inspector" aria-label={t('settings.title')} onSubmit={(e) => e.preventDefault()}>
      <fieldset disabled={readOnly} className="bare">
        <header className="inspector-head">
          <h2>{t('settings.title')}</h2>
          <p className="muted small">{t('settings.intro')}</p>
        </header>
        <div className="form-row">
          <label htmlFor="journey-name">{t('settings.name')}</label>
          <input id="journey-name" type="text" maxLength={120} value={name} onChange={(e) => store.dispatch({ type: 'updateJourney', name: e.target.value, field: 'name' })} />
        </div>
        <SchemaField
          name=""
          path=""
          schema={root}
          root={root}
          value={settings}
          required
          errors={settingsErrors(errors)}
          onChange={(next, changed) => {
            if (isRecord(next)) store.dispatch({ type: 'updateJourney', settings: next, field: `settings.${changed}` });
          }}
        />
      </fieldset>
    </form>
  );
}
