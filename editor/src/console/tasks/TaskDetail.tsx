import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { routeHref } from '../../app/route.ts';
import { tasksApi } from '../../client/tasks.ts';
import type { Task, TaskContext } from '../../client/tasks.ts';
import { ProfileFacts } from '../shared/ProfileFacts.tsx';
import { CouponText } from '../shared/CouponText.tsx';
import { useConsoleFormat } from '../shared/format.ts';
import { messageOf, useLoad } from '../shared/useLoad.ts';
import { allowedActions, isOverdue } from './inbox.ts';
import { CompleteForm } from './CompleteForm.tsx';

/** One task beside the inbox: what to do, the customer's context, claim and complete. */
export function TaskDetail({ taskId, me, now, onChanged }: { taskId: string; me: string; now: number; onChanged: (task: Task) => void }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const loaded = useLoad(() => tasksApi.context(taskId), taskId);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (loaded.error) return <p className="error-text" role="alert">{loaded.error}</p>;
  if (!loaded.data) return <p className="muted">{t('common.loading')}</p>;
  const { task } = loaded.data;
  const can = allowedActions(task, me);
  const act = async (run: () => Promise<Task>) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await run());
      loaded.reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article className="task-detail" aria-labelledby="task-detail-title" data-testid="task-detail">
      <header className="task-detail-head">
        <h2 id="task-detail-title">{task.title}</h2>
        <p>
          <span className={`badge status-${task.status}`}>{t(`tasks.status.${task.status}`)}</span>{' '}
          <span className={`badge priority-${task.priority}`}>{t(`tasks.priority.${task.priority}`)}</span>{' '}
          {task.dueAt && (
            <span className={isOverdue(task, now) ? 'overdue-text' : 'muted small'}>
              {isOverdue(task, now) ? `${t('tasks.overdue')} · ` : ''}
              {t('tasks.due', { when: f.dateTime(task.dueAt) })}
            </span>
          )}
        </p>
        {task.body && <p className="task-body">{task.body}</p>}
        <p className="muted small">
          {t('tasks.columns.queue')}: {task.queue} · {t('tasks.columns.assignee')}: {task.assignee ?? t('tasks.unassigned')}
        </p>
      </header>
      <ContextCard context={loaded.data} now={now} />
      {error && <p className="error-text" role="alert">{error}</p>}
      {task.status === 'done' && task.outcome && (
        <p className="ok-text" data-testid="task-outcome">
          {t('tasks.completedWith', { outcome: t(`tasks.outcomes.${task.outcome}`, { defaultValue: task.outcome }) })}
          {task.note ? ` — ${task.note}` : ''}
        </p>
      )}
      {(task.status === 'open' || task.status === 'claimed') && (
        <section className="task-actions">
          {!me && <p className="muted">{t('tasks.needName')}</p>}
          {can.heldBy && <p className="muted">{t('tasks.heldByOther', { name: can.heldBy })}</p>}
          {task.status === 'claimed' && !can.heldBy && <p className="muted small">{t('tasks.claimed', { name: task.assignee ?? me })}</p>}
          {task.status === 'open' && (
            <button type="button" className="btn" disabled={!can.claim || busy} onClick={() => void act(() => tasksApi.claim(task.id, me))}>
              {t('tasks.claim')}
            </button>
          )}
          <CompleteForm
            disabled={!can.complete || busy}
            busy={busy}
            onComplete={(outcome, note) => void act(() => tasksApi.complete(task.id, { outcome, assignee: me, ...(note ? { note } : {}) }))}
          />
        </section>
      )}
    </article>
  );
}

function ContextCard({ context, now }: { context: TaskContext; now: number }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const { customer, step, coupon, task } = context;
  return (
    <section className="context-card" aria-label={t('tasks.context.title')}>
      <h3>{t('tasks.context.title')}</h3>
      {customer ? (
        <>
          <p className="context-who">
            <strong>{customer.name ?? customer.id}</strong> <span className="muted small">{customer.id}</span>
            <br />
            <span className="small">
              {customer.phone && `${t('tasks.context.phone')}: ${customer.phone} · `}
              {customer.email && `${t('tasks.context.email')}: ${customer.email} · `}
              {t('tasks.context.locale')}: {f.language(customer.locale)}
            </span>
          </p>
          <ProfileFacts customer={customer} now={now} />
        </>
      ) : (
        <p className="muted">{t('tasks.context.erased')}</p>
      )}
      <dl className="facts">
        <div>
          <dt>{t('tasks.context.source')}</dt>
          <dd>{step ? t('tasks.context.sourceValue', { journey: step.journeyName, step: step.label ?? step.nodeId }) : t('tasks.context.manual')}</dd>
        </div>
        <div>
          <dt>{t('tasks.context.coupon')}</dt>
          <dd>{coupon ? <CouponText coupon={coupon} /> : t('tasks.context.noCoupon')}</dd>
        </div>
      </dl>
      <a className="btn btn-small" href={routeHref({ screen: 'customer', customerId: task.customerId })}>
        {t('tasks.context.openTimeline')} →
      </a>
    </section>
  );
}
