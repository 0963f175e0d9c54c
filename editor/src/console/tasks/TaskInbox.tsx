import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { tasksApi } from '../../client/tasks.ts';
import type { Task } from '../../client/tasks.ts';
import { loadOperatorName, saveOperatorName } from '../shared/settings.ts';
import { useLoad } from '../shared/useLoad.ts';
import { apiFilters, defaultInboxFilter, isOverdue, sortTasks } from './inbox.ts';
import type { InboxFilter } from './inbox.ts';
import { TaskDetail } from './TaskDetail.tsx';
import { TaskFilters } from './TaskFilters.tsx';
import { TaskList } from './TaskList.tsx';
import '../console.css';

/** Loads the tasks of every API query a filter needs, newest answer wins. */
async function loadTasks(filter: InboxFilter, now: number): Promise<Task[]> {
  const pages = await Promise.all(apiFilters(filter, now).map((f) => tasksApi.list(f)));
  return pages.flat();
}

/** The CS task inbox: filters, the list with overdue tasks first, and the chosen task beside it. */
export function TaskInbox({ now = Date.now }: { now?: () => number }) {
  const { t } = useTranslation();
  const [me, setMe] = useState(loadOperatorName);
  const [filter, setFilter] = useState<InboxFilter>(defaultInboxFilter);
  const [selected, setSelected] = useState<string | null>(null);
  const [clock, setClock] = useState(now);
  const tasks = useLoad(() => loadTasks(filter, now()), JSON.stringify(filter));
  // Queues and assignees offered by the filters: every value seen in any answer so far.
  const [known, setKnown] = useState<{ queues: string[]; assignees: string[] }>({ queues: [], assignees: [] });
  const data = tasks.data;
  useEffect(() => {
    if (!data) return;
    setClock(now());
    setKnown((k) => ({
      queues: [...new Set([...k.queues, ...data.map((x) => x.queue)])].sort(),
      assignees: [...new Set([...k.assignees, ...data.flatMap((x) => (x.assignee ? [x.assignee] : []))])].sort(),
    }));
  }, [data, now]);
  const sorted = useMemo(() => sortTasks(tasks.data ?? [], clock), [tasks.data, clock]);
  const overdue = sorted.filter((task) => isOverdue(task, clock)).length;
  return (
    <section className="page page-wide console-page">
      <div className="page-head">
        <div>
          <h1>{t('tasks.title')}</h1>
          <p className="muted small" aria-live="polite">
            {t('tasks.count', { count: sorted.length })}
            {overdue > 0 && (
              <>
                {' · '}
                <span className="overdue-text">{t('tasks.overdueCount', { count: overdue })}</span>
              </>
            )}
          </p>
        </div>
        <div className="head-tools">
          <label className="field inline-field">
            <span>{t('tasks.workingAs')}</span>
            <input
              type="text"
              value={me}
              placeholder={t('tasks.workingAsPlaceholder')}
              onChange={(e) => {
                setMe(e.target.value);
                saveOperatorName(e.target.value);
              }}
            />
          </label>
          <button type="button" className="btn" onClick={tasks.reload}>
            {t('tasks.refresh')}
          </button>
        </div>
      </div>
      <TaskFilters filter={filter} onChange={setFilter} queues={known.queues} assignees={known.assignees} me={me.trim()} />
      {tasks.error && <p className="error-text" role="alert">{tasks.error}</p>}
      <div className="split-view">
        <div className="split-list">
          {!tasks.data && !tasks.error && <p className="muted">{t('common.loading')}</p>}
          {tasks.data && sorted.length === 0 && <p className="muted panel-empty">{t('tasks.empty')}</p>}
          <TaskList tasks={sorted} selected={selected} onSelect={setSelected} now={clock} />
        </div>
        <div className="split-detail">
          {selected ? (
            <TaskDetail key={selected} taskId={selected} me={me.trim()} now={clock} onChanged={() => tasks.reload()} />
          ) : (
            <p className="muted panel-empty">{t('tasks.selectHint')}</p>
          )}
        </div>
      </div>
    </section>
  );
}
