import { Handle, Position } from '@xyflow/react';
import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../i18n/format.ts';
import type { StepNode } from '../graph/flow.ts';

const exitWidth = 96;

/** Width of a card: wide enough to space its exits apart. */
export function cardWidth(exitCount: number): number {
  return Math.max(248, exitCount * exitWidth);
}

/** A step on the canvas: category colour, name, summary, problems, counts, and one handle per exit. */
function StepCardImpl({ data, selected }: NodeProps<StepNode>) {
  const { t } = useTranslation();
  const f = useFormat();
  const name = data.label ?? t(`kinds.${data.kind}.name`, { defaultValue: data.displayName });
  const width = cardWidth(data.exits.length);
  const broken = data.problems.length > 0;
  const classes = ['step', `step-${data.category}`, selected ? 'is-selected' : '', broken ? 'is-broken' : '', data.diff ? `diff-${data.diff}` : ''];
  return (
    <div className={classes.filter(Boolean).join(' ')} style={{ width }} data-testid={`step-${data.kind}`} aria-invalid={broken}>
      {data.category !== 'trigger' && <Handle type="target" position={Position.Top} id="in" className="handle-in" />}
      <div className="step-head">
        <span className="step-kind">{t(`palette.${data.category}`, { defaultValue: data.category })}</span>
        {data.diff && <span className={`diff-badge diff-badge-${data.diff}`}>{t(`versions.diff.${data.diff}`)}</span>}
      </div>
      <div className="step-title">{name}</div>
      {data.label && <div className="step-sub">{t(`kinds.${data.kind}.name`, { defaultValue: data.displayName })}</div>}
      {data.summary && <div className="step-summary">{data.summary}</div>}
      {data.counts && (
        <dl className={`step-counts counts-${data.countsSource ?? 'live'}`} aria-label={t(data.countsSource === 'forecast' ? 'forecast.title' : 'live.title')}>
          <div>
            <dt>{t('live.entered')}</dt>
            <dd>{f.number(data.counts.entered)}</dd>
          </div>
          <div>
            <dt>{t('live.waiting')}</dt>
            <dd>{f.number(data.counts.waiting)}</dd>
          </div>
          <div>
            <dt>{t('live.converted')}</dt>
            <dd>{f.number(data.counts.converted)}</dd>
          </div>
        </dl>
      )}
      {broken && (
        <div className="step-problem" role="note">
          {data.problems[0]}
          {data.problems.length > 1 && <span className="more"> {t('problems.more', { count: data.problems.length - 1 })}</span>}
        </div>
      )}
      <div className="step-exits">
        {data.exits.map((exit, i) => (
          <div key={exit.id} className="step-exit" style={{ left: `${((i + 0.5) / data.exits.length) * 100}%` }}>
            <span className={`exit-label${exit.optional ? ' optional' : ''}`}>{t(`exits.${exit.id}`, { defaultValue: exit.label })}</span>
            <Handle type="source" position={Position.Bottom} id={exit.id} className="handle-out" aria-label={exit.label} />
          </div>
        ))}
      </div>
    </div>
  );
}

export const StepCard = memo(StepCardImpl);
