import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format.ts';
import { shopCurrency } from './settings.ts';

const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/**
 * The editor's locale formatters plus what the console needs: relative times ("in 2 days",
 * "2天前"), plain dates, and money in the shop's currency.
 *
 * @example const f = useConsoleFormat(); f.relative('2026-01-02T00:00:00Z', now) // "in 2 days"
 */
export function useConsoleFormat() {
  const { i18n } = useTranslation();
  const base = useFormat();
  const lng = i18n.language;
  return {
    ...base,
    money: (amount: number) => base.currency(amount, shopCurrency()),
    date: (iso: string) => {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(lng, { dateStyle: 'medium' }).format(d);
    },
    time: (iso: string) => {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(lng, { timeStyle: 'short' }).format(d);
    },
    relative: (iso: string, now: number) => {
      const diff = Date.parse(iso) - now;
      const rtf = new Intl.RelativeTimeFormat(lng, { numeric: 'auto' });
      for (const [unit, ms] of units) {
        if (Math.abs(diff) >= ms || unit === 'minute') return rtf.format(Math.round(diff / ms), unit);
      }
      return rtf.format(0, 'minute');
    },
  };
}
