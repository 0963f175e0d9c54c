import { useTranslation } from 'react-i18next';
import type { TaskPriority, TaskStatus } from '../../client/tasks.ts';
import { defaultInboxFilter } from './inbox.ts';
import type { InboxFilter } from './inbox.ts';

const statuses: Array<InboxFilter['status']> = ['todo', 'open', 'claimed', 'done', 'cancelled', 'all'];
const priorities: TaskPriority[] = ['urgent', 'high', 'normal', 'low'];
const dues: Array<InboxFilter['due']> = ['any', 'overdue', 'today', 'week'];
const isStatus = (v: string): v is TaskStatus => v === 'open' || v === 'claimed' || v === 'done' || v === 'cancelled';

/** The inbox's filter bar: status, queue, assignee (or only mine), priority and due date. */
export function TaskFilters({
  filter,
  onChange,
  queues,
  assignees,
  me,
}: {
  filter: InboxFilter;
  onChange: (filter: InboxFilter) => void;
  queues: string[];
  assignees: string[];
  me: string;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<InboxFilter>) => onChange({ ...filter, ...patch });
  return (
    <form className="filter-bar" aria-label={t('tasks.filters')} onSubmit={(e) => e.preventDefault()}>
      <label className="field">
        <span>{t('tasks.filter.status')}</span>
        <select
          value={filter.status}
          onChange={(e) => {
            const v = e.target.value;
            set({ status: isStatus(v) || v === 'todo' || v === 'all' ? v : 'todo' });
          }}
        >
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s === 'todo' ? t('tasks.filter.todo') : s === 'all' ? t('tasks.filter.all') : t(`tasks.status.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('tasks.filter.queue')}</span>
        <select value={filter.queue} onChange={(e) => set({ queue: e.target.value })}>
          <option value="">{t('tasks.filter.any')}</option>
          {queues.map((q) => (
            <option key={q} value={q}>
              {q}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('tasks.filter.assignee')}</span>
        <select value={filter.assignee} onChange={(e) => set({ assignee: e.target.value })}>
          <option value="">{t('tasks.filter.any')}</option>
          {me && <option value={me}>{`${t('tasks.filter.mine')} (${me})`}</option>}
          {assignees
            .filter((a) => a !== me)
            .map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
        </select>
      </label>
      <label className="field">
        <span>{t('tasks.filter.priority')}</span>
        <select value={filter.priority} onChange={(e) => set({ priority: priorities.find((p) => p === e.target.value) ?? '' })}>
          <option value="">{t('tasks.filter.any')}</option>
          {priorities.map((p) => (
            <option key={p} value={p}>
              {t(`tasks.priority.${p}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('tasks.filter.due')}</span>
        <select value={filter.due} onChange={(e) => set({ due: dues.find((d) => d === e.target.value) ?? 'any' })}>
          {dues.map((d) => (
            <option key={d} value={d}>
              {t(d === 'any' ? 'tasks.filter.dueAny' : `tasks.filter.${d}`)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="btn btn-ghost" onClick={() => onChange(defaultInboxFilter)}>
        {t('tasks.filter.reset')}
      </button>
    </form>
  );
}
