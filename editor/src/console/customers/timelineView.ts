import type { TimelineEntry } from '../../client/customers.ts';

export type TimelineKind = TimelineEntry['kind'];
export const timelineKinds: readonly TimelineKind[] = ['event', 'step', 'message', 'coupon', 'task'];

/**
 * Entries grouped by local calendar day, newest day first, keeping the order inside a day.
 *
 * @example groupByDay(entries, (iso) => iso.slice(0, 10)) // [{ day: '2026-03-02', entries: [...] }, ...]
 */
export function groupByDay(entries: readonly TimelineEntry[], dayOf: (iso: string) => string): Array<{ day: string; entries: TimelineEntry[] }> {
  const groups: Array<{ day: string; entries: TimelineEntry[] }> = [];
  for (const entry of entries) {
    const day = dayOf(entry.at);
    const last = groups.at(-1);
    if (last?.day === day) last.entries.push(entry);
    else groups.push({ day, entries: [entry] });
  }
  return groups;
}

type Value = string | number | boolean | null;

/** How the timeline shows the values it knows: money, stage and RFM cell names, outcomes, property names. */
export interface ValueNames {
  money: (amount: number) => string;
  /** A lifecycle stage or an RFM cell. */
  option: (value: string) => string;
  outcome: (outcome: string) => string;
  /** A property's name in the reader's language (`segment` → "分群"). */
  key: (key: string) => string;
}

/**
 * A short, readable summary of an event's properties: a stage or RFM change as "from → to", an
 * order's amount as money, a task's outcome by its name, anything else as `name: value` (at most
 * four).
 *
 * @example propertySummary('stage_changed', { from: 'active', to: 'atRisk' }, names) // 'Active → At risk'
 */
export function propertySummary(type: string, properties: Readonly<Record<string, Value>>, names: ValueNames): string {
  const { from, to } = properties;
  if ((type === 'stage_changed' || type === 'rfm_changed') && typeof to === 'string') {
    return `${typeof from === 'string' ? names.option(from) : '—'} → ${names.option(to)}`;
  }
  return Object.entries(properties)
    .filter(([key, v]) => v !== null && v !== '' && key !== 'taskId' && key !== 'journeyId')
    .slice(0, 4)
    .map(([key, v]) => {
      if (key === 'amount' && typeof v === 'number') return names.money(v);
      if (key === 'outcome' && typeof v === 'string') return names.outcome(v);
      return `${names.key(key)}: ${String(v)}`;
    })
    .join(' · ');
}
