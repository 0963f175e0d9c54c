import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

/** The UI languages; the first is the fallback. */
export const languages = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
] as const;
export type LanguageCode = (typeof languages)[number]['code'];

const storageKey = 'waymark.language';

function isLanguage(value: string | null): value is LanguageCode {
  return languages.some((l) => l.code === value);
}

/** The remembered language, else the browser's if we have it, else English. */
export function initialLanguage(): LanguageCode {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(storageKey);
  } catch {
    stored = null;
  }
  if (isLanguage(stored)) return stored;
  const browser = typeof navigator === 'undefined' ? 'en' : navigator.language;
  return browser.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** Switches the UI language and remembers it for the next visit. */
export async function changeLanguage(code: LanguageCode): Promise<void> {
  localStorage.setItem(storageKey, code);
  document.documentElement.lang = code;
  await i18next.changeLanguage(code);
}

/** Initialises i18next once; `lng` overrides the remembered language (tests). */
export async function initI18n(lng: LanguageCode = initialLanguage()): Promise<typeof i18next> {
  if (!i18next.isInitialized) {
    await i18next.use(initReactI18next).init({
      resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
      lng,
      fallbackLng: 'en',
      interpolation: { escapeValue: false },
      returnNull: false,
    });
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
  return i18next;
}
