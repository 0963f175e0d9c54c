import { useTranslation } from 'react-i18next';
import { paletteGroups } from '../graph/registry.ts';

/** The drag-and-drop data type a palette entry carries. */
export const kindMime = 'application/x-waymark-kind';

/**
 * The node palette, generated from the core's registry and grouped by category. Drag an entry
 * onto the canvas, or press Enter on it to add the step in the middle of the view.
 */
export function Palette({ onAdd, disabled = false }: { onAdd: (kind: string) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  return (
    <aside className="palette" aria-label={t('palette.label')}>
      {paletteGroups().map((group) => (
        <section key={group.category} className={`palette-group palette-${group.category}`}>
          <h2>{t(`palette.${group.category}s`)}</h2>
          <ul>
            {group.specs.map((spec) => (
              <li key={spec.kind}>
                <button
                  type="button"
                  className="palette-item"
                  draggable={!disabled}
                  disabled={disabled}
                  data-kind={spec.kind}
                  title={t(`kinds.${spec.kind}.description`, { defaultValue: spec.description })}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(kindMime, spec.kind);
                    e.dataTransfer.effectAllowed = 'move';
                  }}
                  onClick={() => onAdd(spec.kind)}
                >
                  <span className="palette-dot" aria-hidden="true" />
                  {t(`kinds.${spec.kind}.name`, { defaultValue: spec.displayName })}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}
