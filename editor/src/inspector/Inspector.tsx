import { useTranslation } from 'react-i18next';
import type { CompileError } from '../../../journey/compile/errors.ts';
import { specOf } from '../graph/registry.ts';
import { useEditor, useEditorStore } from '../state/editorStore.ts';
import { fieldErrors } from '../validation/validate.ts';
import { LocaleContext, NodeKindContext } from './context.ts';
import { jsonSchemaOf } from './jsonSchema.ts';
import { SchemaField } from './SchemaField.tsx';

/** The form of the selected step: its name, its config (generated from the kind's schema) and its problems. */
export function Inspector({ errors, readOnly }: { errors: readonly CompileError[]; readOnly: boolean }) {
  const { t } = useTranslation();
  const store = useEditorStore();
  const selected = useEditor((s) => (s.selection.nodeIds.length === 1 ? s.selection.nodeIds[0] : undefined));
  const node = useEditor((s) => s.history.present.nodes.find((n) => n.id === selected));
  const settings = useEditor((s) => s.history.present.settings);
  if (!node) return <p className="muted panel-empty">{t('inspector.nothingSelected')}</p>;
  const spec = specOf(node.kind);
  if (!spec) return <p className="field-error">{t('inspector.unknownKind', { kind: node.kind })}</p>;
  const root = jsonSchemaOf(spec.configSchema);
  const problems = fieldErrors(errors, node.id);
  const general = problems.get('') ?? [];
  const locale = typeof settings['defaultLocale'] === 'string' ? settings['defaultLocale'] : 'en';
  return (
    <form className="inspector" aria-label={t('inspector.title')} onSubmit={(e) => e.preventDefault()}>
      <fieldset disabled={readOnly} className="bare">
        <header className={`inspector-head step-${spec.category}`}>
          <h2>{t(`kinds.${spec.kind}.name`, { defaultValue: spec.displayName })}</h2>
          <p className="muted small">{t(`kinds.${spec.kind}.description`, { defaultValue: spec.description })}</p>
          <code className="muted small">{node.id}</code>
        </header>
        {general.length > 0 && (
          <ul className="inspector-problems" role="alert">
            {general.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
        <div className="form-row">
          <label htmlFor="step-label">{t('inspector.label')}</label>
          <input id="step-label" type="text" maxLength={120} placeholder={t(`kinds.${spec.kind}.name`, { defaultValue: spec.displayName })} value={node.label ?? ''} onChange={(e) => store.dispatch({ type: 'updateNode', nodeId: node.id, label: e.target.value, field: 'label' })} />
        </div>
        <NodeKindContext.Provider value={node.kind}>
          <LocaleContext.Provider value={locale}>
            <SchemaField
              key={node.id}
              name=""
              path=""
              schema={root}
              root={root}
              value={node.config}
              required
              errors={problems}
              onChange={(config, changed) => store.dispatch({ type: 'updateNode', nodeId: node.id, config, field: changed })}
            />
          </LocaleContext.Provider>
        </NodeKindContext.Provider>
        <div className="inspector-actions">
          <button type="button" className="btn btn-danger" onClick={() => store.dispatch({ type: 'remove', nodeIds: [node.id], edgeIds: [] })}>
            {t('inspector.deleteStep')}
          </button>
        </div>
      </fieldset>
    </form>
  );
}
