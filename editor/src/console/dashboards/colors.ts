import type { LifecycleStage } from '../../../../journey/customer.ts';

/** One colour per lifecycle stage, from cool (prospect) through warm (at risk) to red (churned). */
export const stageColors: Record<LifecycleStage, string> = {
  prospect: '#94a3b8',
  new: '#60a5fa',
  active: '#22c55e',
  atRisk: '#f59e0b',
  dormant: '#f97316',
  churned: '#ef4444',
  wonBack: '#8b5cf6',
};

/**
 * A colour from light to deep indigo for a share 0…1 (RFM cells coloured by revenue).
 *
 * @example revenueColor(1) // 'hsl(243 75% 35%)'
 */
export function revenueColor(share: number): string {
  const s = Math.max(0, Math.min(1, share));
  return `hsl(243 75% ${Math.round(88 - s * 53)}%)`;
}
