import { useTranslation } from 'react-i18next';
import type { Section } from './route.ts';

/** Sections of the operations console that have no screen yet. */
export function ComingSoon({ section }: { section: Exclude<Section, 'journeys'> }) {
  const { t } = useTranslation();
  return (
    <section className="page">
      <h1>{t(`nav.${section}`)}</h1>
      <p className="muted">{t('comingSoon')}</p>
    </section>
  );
}
