import { useTranslation } from 'react-i18next';

/**
 * Locale-aware formatters for the current UI language (numbers, percentages, currency, dates).
 *
 * @example const f = useFormat(); f.number(12345) // "12,345"
 */
export function useFormat() {
  const { i18n } = useTranslation();
  const lng = i18n.language;
  return {
    number: (n: number, digits = 0) => new Intl.NumberFormat(lng, { maximumFractionDigits: digits }).format(n),
    percent: (fraction: number) => new Intl.NumberFormat(lng, { style: 'percent', maximumFractionDigits: 1 }).format(fraction),
    currency: (amount: number, currency: string) => {
      try {
        return new Intl.NumberFormat(lng, { style: 'currency', currency }).format(amount);
      } catch {
        return `${amount} ${currency}`;
      }
    },
    /** A language tag in words ("en" → "English", in Chinese "英语"); the tag if unknown. */
    language: (tag: string) => {
      try {
        return new Intl.DisplayNames(lng, { type: 'language' }).of(tag) ?? tag;
      } catch {
        return tag;
      }
    },
    dateTime: (iso: string | number) => {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? String(iso) : new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
    },
  };
}
