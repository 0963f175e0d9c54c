import { useReactFlow } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import type { CompileError } from '../../../journey/compile/errors.ts';
import { useEditorStore } from '../state/editorStore.ts';

/**
 * Every compile problem of the draft. Choosing a step's problem selects that step and brings
 * it into view; a journey-wide problem opens the settings.
 */
export function ProblemsList({ errors, onJourneyProblem }: { errors: readonly CompileError[]; onJourneyProblem: () => void }) {
  const { t } = useTranslation();
  const store = useEditorStore();
  const flow = useReactFlow();
  return (
    <section className="problems" aria-label={t('problems.title')} data-testid="problems">
      <h2>
        {errors.length === 0 ? (
          <span className="ok-text">✓ {t('problems.none')}</span>
        ) : (
          <span className="error-text">{t('problems.count', { count: errors.length })}</span>
        )}
      </h2>
      {errors.length > 0 && (
        <ul>
          {errors.map((e, i) => (
            <li key={`${e.code}-${e.nodeId ?? ''}-${e.path ?? ''}-${i}`}>
              <button
                type="button"
                className="problem"
                onClick={() => {
                  if (e.nodeId === null) return onJourneyProblem();
                  const nodeId = e.nodeId;
                  store.dispatch({ type: 'select', nodeIds: [nodeId] });
                  void flow.fitView({ nodes: [{ id: nodeId }], duration: 300, maxZoom: 1.2 });
                }}
              >
                <span className="problem-code">{e.code}</span> {e.message}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
