import { useTranslation } from 'react-i18next';
import { changeLanguage, languages } from '../i18n/index.ts';
import type { LanguageCode } from '../i18n/index.ts';
import { routeHref } from './route.ts';
import type { Section } from './route.ts';

const sections: Section[] = ['journeys', 'campaigns', 'templates', 'segments', 'tasks', 'customers', 'dashboards'];

/** The top bar: product name, sections, language switch and sign-out. */
export function TopNav({ section, onSignOut }: { section: Section; onSignOut: () => void }) {
  const { t, i18n } = useTranslation();
  return (
    <header className="topnav">
      <a className="brand" href="#/journeys">
        <span className="brand-mark" aria-hidden="true" />
        Waymark
      </a>
      <nav aria-label={t('nav.label')}>
        <ul>
          {sections.map((s) => (
            <li key={s}>
              <a href={routeHref({ screen: s })} aria-current={s === section ? 'page' : undefined}>
                {t(`nav.${s}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="topnav-end">
        <label className="lang-switch">
          <span className="sr-only">{t('nav.language')}</span>
          <select
            value={i18n.language}
            onChange={(e) => {
              const code = languages.find((l) => l.code === e.target.value)?.code;
              if (code) void changeLanguage(code satisfies LanguageCode);
            }}
          >
            {languages.map((l) => (
              <option key={l.code} value={l.code}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-ghost" onClick={onSignOut}>
          {t('nav.signOut')}
        </button>
      </div>
    </header>
  );
}
