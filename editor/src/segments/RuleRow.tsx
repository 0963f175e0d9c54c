import { useTranslation } from 'react-i18next';
import { builtinAttributes, ComparisonOp } from '../../../journey/condition.ts';
import type { EventHistoryCondition } from '../../../journey/condition.ts';
import { Channel, LifecycleStage, RfmCell, ValueTier } from '../../../journey/customer.ts';
import { wellKnownEvents } from '../../../journey/event.ts';
import { defaultRule, kindOf, ruleKinds, typedScalar, typedValue, valueText } from './rules.ts';
import type { Rule, RuleKind } from './rules.ts';

/** Toggles for a set of values (stages, RFM cells, value tiers); at least one stays chosen. */
function Choices<T extends string>({ all, chosen, label, onChange }: { all: readonly T[]; chosen: readonly T[]; label: (v: T) => string; onChange: (next: T[]) => void }) {
  return (
    <span className="choices">
      {all.map((v) => (
        <label key={v} className="choice">
          <input
            type="checkbox"
            checked={chosen.includes(v)}
            onChange={(e) => {
              const next = e.target.checked ? [...chosen, v] : chosen.filter((c) => c !== v);
              if (next.length > 0) onChange(all.filter((a) => next.includes(a)));
            }}
          />
          {label(v)}
        </label>
      ))}
    </span>
  );
}

/**
 * "did / did not do X (where property is / is not V) at least N times in the last D days".
 * Numbers are kept as typed, so an impossible one (0 days) reaches the preview, whose 400 names it.
 */
function EventHistoryFields({ rule, onChange }: { rule: EventHistoryCondition; onChange: (rule: EventHistoryCondition) => void }) {
  const { t } = useTranslation();
  const setWhere = (i: number, patch: Partial<EventHistoryCondition['where'][number]>) => onChange({ ...rule, where: rule.where.map((w, j) => (j === i ? { ...w, ...patch } : w)) });
  return (
    <span className="event-history">
      <select aria-label={t('segments.rule.did')} value={rule.did ? 'yes' : 'no'} onChange={(e) => onChange({ ...rule, did: e.target.value === 'yes' })}>
        <option value="yes">{t('segments.rule.didEvent')}</option>
        <option value="no">{t('segments.rule.didNotEvent')}</option>
      </select>
      <input list="event-types" aria-label={t('segments.rule.eventType')} value={rule.eventType} onChange={(e) => onChange({ ...rule, eventType: e.target.value.trim() })} />
      <datalist id="event-types">
        {wellKnownEvents.map((type) => (
          <option key={type} value={type} />
        ))}
      </datalist>
      <span>{t('segments.rule.atLeast')}</span>
      <input type="number" min={1} step={1} aria-label={t('segments.rule.times')} value={rule.atLeast} onChange={(e) => onChange({ ...rule, atLeast: Number(e.target.value) })} />
      <span>{t('segments.rule.timesIn')}</span>
      <input type="number" min={1} step={1} aria-label={t('segments.rule.days')} value={rule.withinDays} onChange={(e) => onChange({ ...rule, withinDays: Number(e.target.value) })} />
      <span>{t('segments.rule.daysSuffix')}</span>
      {rule.where.map((w, i) => (
        <span key={i} className="event-filter">
          <span>{t('segments.rule.where')}</span>
          <input aria-label={t('segments.rule.property')} value={w.property} onChange={(e) => setWhere(i, { property: e.target.value })} />
          <select aria-label={t('segments.rule.propertyOp')} value={w.op} onChange={(e) => setWhere(i, { op: e.target.value === 'neq' ? 'neq' : 'eq' })}>
            {(['eq', 'neq'] as const).map((op) => (
              <option key={op} value={op}>
                {t(`options.${op}`)}
              </option>
            ))}
          </select>
          <input aria-label={t('segments.rule.propertyValue')} value={valueText(w.value)} onChange={(e) => setWhere(i, { value: typedScalar(e.target.value) })} />
          <button type="button" className="btn btn-ghost btn-icon" aria-label={t('segments.rule.removeFilter')} onClick={() => onChange({ ...rule, where: rule.where.filter((_, j) => j !== i) })}>
            ×
          </button>
        </span>
      ))}
      <button type="button" className="btn btn-ghost" onClick={() => onChange({ ...rule, where: [...rule.where, { property: '', op: 'eq', value: '' }] })}>
        {t('segments.rule.addFilter')}
      </button>
      <span className="muted small">{t('segments.rule.eventHint')}</span>
    </span>
  );
}

export interface RuleRowProps {
  rule: Rule;
  segments: ReadonlyArray<{ id: string; name: string }>;
  onChange: (rule: Rule) => void;
  onRemove: () => void;
  index: number;
}

/** One condition of the builder: the kind first, then that kind's fields. */
export function RuleRow({ rule, segments, onChange, onRemove, index }: RuleRowProps) {
  const { t } = useTranslation();
  const kind = kindOf(rule);
  const opLabel = (op: ComparisonOp) => t(`options.${op}`);
  const fields = (() => {
    switch (rule.type) {
      case 'stage':
        return <Choices all={LifecycleStage.options} chosen={rule.stages} label={(v) => t(`options.${v}`)} onChange={(stages) => onChange({ ...rule, stages })} />;
      case 'rfm':
        return <Choices all={RfmCell.options} chosen={rule.cells} label={(v) => t(`options.${v}`)} onChange={(cells) => onChange({ ...rule, cells })} />;
      case 'tag':
        return (
          <>
            <select aria-label={t('segments.rule.present')} value={rule.present ? 'yes' : 'no'} onChange={(e) => onChange({ ...rule, present: e.target.value === 'yes' })}>
              <option value="yes">{t('segments.rule.hasTag')}</option>
              <option value="no">{t('segments.rule.lacksTag')}</option>
            </select>
            <input aria-label={t('options.tag')} value={rule.tag} onChange={(e) => onChange({ ...rule, tag: e.target.value })} />
          </>
        );
      case 'consent':
        return (
          <>
            <select aria-label={t('segments.rule.granted')} value={rule.granted ? 'yes' : 'no'} onChange={(e) => onChange({ ...rule, granted: e.target.value === 'yes' })}>
              <option value="yes">{t('segments.rule.consented')}</option>
              <option value="no">{t('segments.rule.notConsented')}</option>
            </select>
            <select aria-label={t('segments.rule.channel')} value={rule.channel} onChange={(e) => onChange({ ...rule, channel: Channel.parse(e.target.value) })}>
              {Channel.options.map((c) => (
                <option key={c} value={c}>
                  {t(`options.${c}`)}
                </option>
              ))}
            </select>
          </>
        );
      case 'segment':
        return (
          <>
            <select aria-label={t('segments.rule.member')} value={rule.member ? 'yes' : 'no'} onChange={(e) => onChange({ ...rule, member: e.target.value === 'yes' })}>
              <option value="yes">{t('segments.rule.inSegment')}</option>
              <option value="no">{t('segments.rule.notInSegment')}</option>
            </select>
            <select aria-label={t('options.segment')} value={rule.segment} onChange={(e) => onChange({ ...rule, segment: e.target.value })}>
              {segments.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </>
        );
      case 'eventHistory':
        return <EventHistoryFields rule={rule} onChange={onChange} />;
      case 'attribute': {
        if (kind === 'valueTier') {
          const tiers = (Array.isArray(rule.value) ? rule.value : []).flatMap((v) => ValueTier.options.filter((tier) => tier === v));
          return (
            <>
              <select aria-label={t('segments.rule.op')} value={rule.op} onChange={(e) => onChange({ ...rule, op: ComparisonOp.parse(e.target.value) })}>
                {(['in', 'notIn'] as const).map((op) => (
                  <option key={op} value={op}>
                    {opLabel(op)}
                  </option>
                ))}
              </select>
              <Choices all={ValueTier.options} chosen={tiers} label={(v) => t(`segments.tiers.${v}`)} onChange={(value) => onChange({ ...rule, value })} />
            </>
          );
        }
        if (kind === 'churnRisk') {
          return (
            <>
              <select aria-label={t('segments.rule.op')} value={rule.op} onChange={(e) => onChange({ ...rule, op: ComparisonOp.parse(e.target.value) })}>
                {(['gte', 'lte'] as const).map((op) => (
                  <option key={op} value={op}>
                    {opLabel(op)}
                  </option>
                ))}
              </select>
              <input
                type="number"
                min={0}
                max={1}
                step={0.05}
                aria-label={t('segments.kinds.churnRisk')}
                value={typeof rule.value === 'number' ? rule.value : 0}
                onChange={(e) => onChange({ ...rule, value: Number(e.target.value) })}
              />
              <span className="muted small">{t('segments.rule.churnHint')}</span>
            </>
          );
        }
        const hidesValue = rule.op === 'exists' || rule.op === 'notExists';
        return (
          <>
            <input list="attribute-names" aria-label={t('options.attribute')} value={rule.attribute} onChange={(e) => onChange({ ...rule, attribute: e.target.value })} />
            <datalist id="attribute-names">
              {Object.keys(builtinAttributes).map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
            <select
              aria-label={t('segments.rule.op')}
              value={rule.op}
              onChange={(e) => {
                const op = ComparisonOp.parse(e.target.value);
                onChange({ ...rule, op, value: typedValue(valueText(rule.value), op) });
              }}
            >
              {ComparisonOp.options.map((op) => (
                <option key={op} value={op}>
                  {opLabel(op)}
                </option>
              ))}
            </select>
            {!hidesValue && <input aria-label={t('segments.rule.value')} value={valueText(rule.value)} onChange={(e) => onChange({ ...rule, value: typedValue(e.target.value, rule.op) })} />}
          </>
        );
      }
    }
  })();
  return (
    <li className="rule-row" data-testid={`rule-${index}`}>
      <select aria-label={t('segments.rule.kind')} value={kind} onChange={(e) => onChange(defaultRule(ruleKinds.find((k) => k === e.target.value) ?? 'attribute'))}>
        {ruleKinds.map((k: RuleKind) => (
          <option key={k} value={k}>
            {t(`segments.kinds.${k}`)}
          </option>
        ))}
      </select>
      {fields}
      <button type="button" className="btn btn-ghost btn-icon" aria-label={t('segments.rule.remove')} onClick={onRemove}>
        ×
      </button>
    </li>
  );
}
