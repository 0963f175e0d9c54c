import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { shortcuts } from './shortcuts.ts';

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

/** The keyboard shortcuts popover (press `?`). */
export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="shortcut-title" onClose={onClose}>
      <h2 id="shortcut-title">{t('shortcuts.title')}</h2>
      <table className="shortcut-table">
        <tbody>
          {shortcuts.map((s) => (
            <tr key={s.action}>
              <td>
                <kbd>{s.keys.replaceAll('mod', isMac ? '⌘' : 'Ctrl')}</kbd>
              </td>
              <td>{t(`shortcuts.${s.action}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">{t('shortcuts.palette')}</p>
      <form method="dialog">
        <button className="btn btn-primary" autoFocus>
          {t('common.close')}
        </button>
      </form>
    </dialog>
  );
}
