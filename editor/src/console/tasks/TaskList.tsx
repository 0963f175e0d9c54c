import { useTranslation } from 'react-i18next';
import type { Task } from '../../client/tasks.ts';
import { useConsoleFormat } from '../shared/format.ts';
import { isOverdue } from './inbox.ts';

/** The inbox list: one row per task, overdue ones marked; choosing a row opens it beside. */
export function TaskList({ tasks, selected, onSelect, now }: { tasks: Task[]; selected: string | null; onSelect: (id: string) => void; now: number }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  return (
    <ul className="task-list" aria-label={t('tasks.title')}>
      {tasks.map((task) => {
        const overdue = isOverdue(task, now);
        return (
          <li key={task.id}>
            <button
              type="button"
              className={`task-row${overdue ? ' overdue' : ''}`}
              aria-current={task.id === selected ? 'true' : undefined}
              data-testid="task-row"
              data-overdue={overdue}
              onClick={() => onSelect(task.id)}
            >
              <span className={`priority-dot priority-${task.priority}`} title={t(`tasks.priority.${task.priority}`)} />
              <span className="task-row-main">
                <strong>{task.title}</strong>
                <span className="muted small">
                  {task.customerId} · {task.queue} · {task.assignee ?? t('tasks.unassigned')}
                </span>
              </span>
              <span className="task-row-end">
                <span className={`badge status-${task.status}`}>{t(`tasks.status.${task.status}`)}</span>
                {overdue ? (
                  <span className="overdue-text">
                    {t('tasks.overdue')} · {f.relative(task.dueAt ?? '', now)}
                  </span>
                ) : (
                  <span className="muted small">{task.dueAt ? t('tasks.due', { when: f.relative(task.dueAt, now) }) : t('tasks.noDue')}</span>
                )}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
