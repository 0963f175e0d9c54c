import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { journeysApi, loadGallery } from '../client/journeys.ts';
import { navigate } from '../app/route.ts';
import type { DraftGraph } from '../graph/draft.ts';
import { journeyIdFor, newJourneyFrom, randomSuffix } from './newJourney.ts';

/** Start a journey from one of the built-in journeys or from scratch. */
export function Gallery() {
  const { t } = useTranslation();
  const [builtIns, setBuiltIns] = useState<DraftGraph[] | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    loadGallery().then(
      (list) => live && setBuiltIns(list),
      () => live && setBuiltIns([]),
    );
    return () => {
      live = false;
    };
  }, []);
  const start = async (template: DraftGraph | null) => {
    const journeyName = name.trim() || (template ? template.name : t('gallery.untitled'));
    const graph = newJourneyFrom(template, journeyName, journeyIdFor(journeyName, randomSuffix()));
    setBusy(true);
    setError(null);
    try {
      const created = await journeysApi.create(graph);
      navigate({ screen: 'journey', journeyId: created.id });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <section className="page">
      <div className="page-head">
        <h1>{t('gallery.title')}</h1>
      </div>
      <label className="form-row narrow">
        <span>{t('gallery.name')}</span>
        <input type="text" value={name} maxLength={120} placeholder={t('gallery.namePlaceholder')} onChange={(e) => setName(e.target.value)} />
      </label>
      {error && <p className="error-text" role="alert">{error}</p>}
      <ul className="gallery">
        <li>
          <button type="button" className="gallery-card scratch" disabled={busy} onClick={() => void start(null)}>
            <strong>{t('gallery.scratch')}</strong>
            <span className="muted">{t('gallery.scratchHint')}</span>
          </button>
        </li>
        {builtIns?.map((g) => (
          <li key={g.id}>
            <button type="button" className="gallery-card" disabled={busy} onClick={() => void start(g)}>
              <strong>{t(`gallery.builtIn.${g.id}.name`, { defaultValue: g.name })}</strong>
              <span className="muted">{t(`gallery.builtIn.${g.id}.description`, { defaultValue: t('gallery.steps', { count: g.nodes.length }) })}</span>
            </button>
          </li>
        ))}
      </ul>
      {builtIns === null && <p className="muted">{t('common.loading')}</p>}
    </section>
  );
}
