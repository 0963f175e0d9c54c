import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { navigate, routeHref } from '../app/route.ts';
import { segmentsApi } from '../client/segments.ts';
import type { SegmentMembers } from '../client/segments.ts';
import { messageOf, useLoad } from '../console/shared/useLoad.ts';
import { conditionOf, defaultRule, rulesOf } from './rules.ts';
import type { Combine, Rule } from './rules.ts';
import { RuleRow } from './RuleRow.tsx';
import '../templates/templates.css';

/**
 * The segment builder: rules over the profile combined with all/any; the member count and a
 * sample follow the rules as they change (`POST /v1/segments/preview`, once editing pauses).
 */
export function SegmentBuilder({ segmentId }: { segmentId: string | null }) {
  const { t, i18n } = useTranslation();
  const isNew = segmentId === null;
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [combine, setCombine] = useState<Combine>('all');
  const [rules, setRules] = useState<Rule[]>(isNew ? [defaultRule('stage')] : []);
  const [loaded, setLoaded] = useState(isNew);
  const [members, setMembers] = useState<SegmentMembers | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [counting, setCounting] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const others = useLoad(() => segmentsApi.list(), 'segments');

  useEffect(() => {
    if (segmentId === null) return;
    let live = true;
    segmentsApi.get(segmentId).then(
      (segment) => {
        if (!live) return;
        setId(segment.id);
        setName(segment.name);
        setDescription(segment.description);
        const read = rulesOf(segment.condition);
        setCombine(read.combine);
        setRules(read.rules);
        setLoaded(true);
      },
      (e: unknown) => live && setSaveError(messageOf(e)),
    );
    return () => {
      live = false;
    };
  }, [segmentId]);

  const condition = conditionOf(combine, rules);
  const key = JSON.stringify(condition);
  useEffect(() => {
    if (!loaded || condition === null) return;
    let live = true;
    const timer = window.setTimeout(() => {
      setCounting(true);
      segmentsApi.preview(condition).then(
        (answer) => {
          if (!live) return;
          setMembers(answer);
          setPreviewError(null);
          setCounting(false);
        },
        (e: unknown) => {
          if (!live) return;
          setPreviewError(messageOf(e));
          setCounting(false);
        },
      );
    }, 400);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
    // `key` stands for the condition.
  }, [key, loaded]);

  const edit = (next: Rule[]) => {
    setRules(next);
    setSaved(false);
  };
  const save = async () => {
    if (condition === null) return;
    setSaveError(null);
    try {
      if (isNew) {
        const created = await segmentsApi.create({ id: id.trim(), name: name.trim(), description, condition });
        navigate({ screen: 'segment', segmentId: created.id });
      } else {
        await segmentsApi.update(segmentId, { name: name.trim(), description, condition });
        setSaved(true);
      }
    } catch (e) {
      setSaveError(messageOf(e));
    }
  };
  const number = new Intl.NumberFormat(i18n.language);
  const segmentChoices = (others.data ?? []).filter((s) => s.id !== segmentId);

  return (
    <section className="page page-wide">
      <div className="page-head">
        <div>
          <a className="muted small" href={routeHref({ screen: 'segments' })}>
            ← {t('segments.title')}
          </a>
          <h1>{isNew ? t('segments.new') : name}</h1>
        </div>
        <div className="button-row">
          {saved && (
            <span className="ok-text" role="status">
              {t('segments.saved')}
            </span>
          )}
          <button type="button" className="btn btn-primary" disabled={condition === null} onClick={() => void save()}>
            {t('segments.save')}
          </button>
        </div>
      </div>
      {saveError && (
        <p className="refusal" role="alert">
          {saveError}
        </p>
      )}
      <div className="segment-grid">
        <div className="card">
          <div className="studio-meta">
            <label className="field">
              <span>{t('segments.id')}</span>
              <input value={id} disabled={!isNew} placeholder="vip-shanghai" onChange={(e) => setId(e.target.value)} />
            </label>
            <label className="field">
              <span>{t('segments.name')}</span>
              <input value={name} onChange={(e) => setName(e.target.value)} />
            </label>
          </div>
          <label className="field">
            <span>{t('segments.description')}</span>
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <div className="combine">
            <span>{t('segments.combine.prefix')}</span>
            <select aria-label={t('segments.combine.label')} value={combine} onChange={(e) => setCombine(e.target.value === 'any' ? 'any' : 'all')}>
              <option value="all">{t('segments.combine.all')}</option>
              <option value="any">{t('segments.combine.any')}</option>
            </select>
            <span>{t('segments.combine.suffix')}</span>
          </div>
          <ul className="rule-list">
            {rules.map((rule, i) => (
              <RuleRow
                key={i}
                index={i}
                rule={rule}
                segments={segmentChoices}
                onChange={(next) => edit(rules.map((r, j) => (j === i ? next : r)))}
                onRemove={() => edit(rules.filter((_, j) => j !== i))}
              />
            ))}
          </ul>
          <div className="button-row">
            <button type="button" className="btn" onClick={() => edit([...rules, defaultRule('attribute')])}>
              + {t('segments.addRule')}
            </button>
          </div>
        </div>
        <section className="card" aria-label={t('segments.preview')} aria-busy={counting}>
          <h2>{t('segments.preview')}</h2>
          {condition === null && <p className="muted">{t('segments.noRules')}</p>}
          {previewError && (
            <p className="refusal" role="alert">
              {previewError}
            </p>
          )}
          {members && condition !== null && (
            <>
              <p className="member-count" data-testid="member-count" data-count={members.count}>
                {number.format(members.count)}
              </p>
              <p className="muted small">{t('segments.matchNow')}</p>
              <table className="table">
                <tbody>
                  {members.sample.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <a href={routeHref({ screen: 'customer', customerId: c.id })}>{c.name ?? c.id}</a>
                        <div className="muted small">{c.id}</div>
                      </td>
                      <td>{t(`options.${c.computed.stage}`)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      </div>
    </section>
  );
}
