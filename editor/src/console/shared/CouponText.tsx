import { useTranslation } from 'react-i18next';
import type { Coupon } from '../../client/ledger.ts';
import { useConsoleFormat } from './format.ts';

/** "COMEBACK-7KQ2M9 · 20% off · redeemed" in the UI language. */
export function CouponText({ coupon }: { coupon: Coupon }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const offer = coupon.offer.type === 'percent' ? f.percent(coupon.offer.percent / 100) : f.currency(coupon.offer.amount, coupon.offer.currency);
  return (
    <span className="coupon-text">
      <code>{coupon.code}</code> · {t('console.couponOff', { offer })} · {t(`console.couponStatus.${coupon.status}`)}
      {coupon.expiresAt && coupon.status === 'issued' ? ` · ${t('console.expires', { when: f.date(coupon.expiresAt) })}` : ''}
    </span>
  );
}
