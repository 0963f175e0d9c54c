import { useTranslation } from 'react-i18next';
import type { Customer } from '../../client/customers.ts';
import { useConsoleFormat } from './format.ts';

/** A customer's computed fields as a definition list: stage, RFM, value, CLV, last purchase. */
export function ProfileFacts({ customer, now }: { customer: Customer; now: number }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const c = customer.computed;
  return (
    <dl className="facts">
      <div>
        <dt>{t('tasks.context.stage')}</dt>
        <dd>
          <span className={`stage-chip stage-${c.stage}`}>{t(`options.${c.stage}`)}</span>
        </dd>
      </div>
      <div>
        <dt>{t('tasks.context.rfm')}</dt>
        <dd>
          {c.rfm ? (
            <>
              {t(`options.${c.rfm.cell}`)} <span className="muted small">{t('tasks.context.rfmScores', { r: c.rfm.recency, f: c.rfm.frequency, m: c.rfm.monetary })}</span>
            </>
          ) : (
            '—'
          )}
        </dd>
      </div>
      <div>
        <dt>{t('tasks.context.clv')}</dt>
        <dd>{c.clv ? t('tasks.context.clvValue', { historical: f.money(c.clv.historical), predicted: f.money(c.clv.predicted) }) : f.money(c.totalSpend)}</dd>
      </div>
      <div>
        <dt>{t('tasks.context.lastPurchase')}</dt>
        <dd>{c.lastPurchaseAt ? `${f.date(c.lastPurchaseAt)} · ${f.relative(c.lastPurchaseAt, now)}` : t('tasks.context.never')}</dd>
      </div>
      <div>
        <dt>{t('tasks.context.orders')}</dt>
        <dd>{f.number(c.orderCount)}</dd>
      </div>
      <div>
        <dt>{t('tasks.context.valueTier')}</dt>
        <dd>{c.valueTier ? t(`tasks.tiers.${c.valueTier}`) : '—'}</dd>
      </div>
      <div>
        <dt>{t('tasks.context.churnRisk')}</dt>
        <dd>{c.churnRisk === undefined ? '—' : <ChurnMeter risk={c.churnRisk} label={f.percent(c.churnRisk)} />}</dd>
      </div>
    </dl>
  );
}

/** A small bar from green to red with the percentage. */
export function ChurnMeter({ risk, label }: { risk: number; label: string }) {
  return (
    <span className="churn-meter">
      <span className="churn-track">
        <span className="churn-fill" style={{ width: `${Math.round(risk * 100)}%`, background: `hsl(${Math.round(120 - risk * 120)} 70% 42%)` }} />
      </span>
      {label}
    </span>
  );
}
