import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Timeline as TimelineData, TimelineEntry } from '../../client/customers.ts';
import { CouponText } from '../shared/CouponText.tsx';
import { useConsoleFormat } from '../shared/format.ts';
import { groupByDay, propertySummary, timelineKinds } from './timelineView.ts';
import type { TimelineKind } from './timelineView.ts';

/** One customer's history, newest first, grouped by day, filterable by kind. */
export function Timeline({ timeline, now }: { timeline: TimelineData; now: number }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const [hidden, setHidden] = useState<ReadonlySet<TimelineKind>>(new Set());
  const shown = timeline.entries.filter((e) => !hidden.has(e.kind));
  const groups = groupByDay(shown, (iso) => f.date(iso));
  const toggle = (kind: TimelineKind) =>
    setHidden((h) => {
      const next = new Set(h);
      if (next.has(kind)) next.delete(kind);
      else next.add(kind);
      return next;
    });
  return (
    <div className="timeline" data-testid="timeline">
      <div className="chip-row" role="group" aria-label={t('customers.show')}>
        {timelineKinds.map((kind) => (
          <button key={kind} type="button" className={`chip kind-${kind}`} aria-pressed={!hidden.has(kind)} onClick={() => toggle(kind)}>
            {t(`customers.kinds.${kind}`)} ({f.number(timeline.entries.filter((e) => e.kind === kind).length)})
          </button>
        ))}
      </div>
      {shown.length === 0 && <p className="muted">{t('customers.emptyTimeline')}</p>}
      {groups.map((g) => (
        <section key={g.day} className="timeline-day">
          <h3>{g.day}</h3>
          <ol>
            {g.entries.map((entry, i) => (
              <li key={`${entry.kind}:${entry.at}:${i}`} className={`timeline-entry kind-${entry.kind}`} data-kind={entry.kind}>
                <time dateTime={entry.at} title={f.dateTime(entry.at)}>
                  {f.time(entry.at)}
                </time>
                <span className="timeline-dot" aria-hidden="true" />
                <div className="timeline-body">
                  <EntryText entry={entry} now={now} />
                </div>
              </li>
            ))}
          </ol>
        </section>
      ))}
      {timeline.truncated && <p className="muted small">{t('customers.truncated')}</p>}
    </div>
  );
}

function EntryText({ entry, now }: { entry: TimelineEntry; now: number }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  switch (entry.kind) {
    case 'event': {
      const summary = propertySummary(entry.event.type, entry.event.properties, {
        money: f.money,
        option: (s) => t(`options.${s}`, { defaultValue: s }),
        outcome: (o) => t(`tasks.outcomes.${o}`, { defaultValue: o }),
        key: (k) => t(`customers.propertyKeys.${k}`, { defaultValue: k }),
      });
      return (
        <>
          <strong>{t(`customers.events.${entry.event.type}`, { defaultValue: entry.event.type })}</strong>
          {summary && <span className="muted small"> · {summary}</span>}
        </>
      );
    }
    case 'step':
      return (
        <>
          <strong>{entry.step.journeyName}</strong> · {entry.step.label ?? entry.step.nodeId}
          {entry.exit && <span className="muted small"> → {t(`customers.stepStatus.${entry.exit}`, { defaultValue: t(`exits.${entry.exit}`, { defaultValue: entry.exit }) })}</span>}
        </>
      );
    case 'message': {
      const m = entry.message;
      return (
        <>
          <strong>{t('customers.messageTo', { channel: t(`options.${m.channel}`), to: m.to })}</strong>{' '}
          <span className={`badge msg-${m.status}`}>{t(`customers.messageStatus.${m.status}`)}</span>
          <span className="muted small">
            {m.templateId && ` · ${m.templateId}`}
            {m.error && !m.capped && ` · ${m.error}`}
          </span>
          {m.capped && (
            <div className="muted small" data-testid="capped">
              {t(`customers.capped.${m.capped.outcome}`, {
                journey: m.capped.byJourneyName ?? m.capped.byJourneyId ?? '—',
                priority: t(`options.${m.capped.byPriority ?? 'normal'}`),
                until: m.capped.until ? f.dateTime(m.capped.until) : '',
              })}
            </div>
          )}
        </>
      );
    }
    case 'coupon':
      return (
        <>
          <strong>{t('customers.couponIssued')}</strong> <CouponText coupon={entry.coupon} />
        </>
      );
    case 'task': {
      const task = entry.task;
      return (
        <>
          <strong>{t('customers.taskOpened', { title: task.title })}</strong> <span className={`badge status-${task.status}`}>{t(`tasks.status.${task.status}`)}</span>
          {task.outcome && (
            <span className="small" data-testid="timeline-task-outcome">
              {' '}
              · {t(`tasks.outcomes.${task.outcome}`, { defaultValue: task.outcome })}
              {task.assignee && ` (${task.assignee})`}
            </span>
          )}
          {task.completedAt && <span className="muted small"> · {f.relative(task.completedAt, now)}</span>}
        </>
      );
    }
  }
}
