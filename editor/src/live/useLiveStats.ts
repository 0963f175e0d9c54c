import { useEffect, useState } from 'react';
import { journeysApi } from '../client/journeys.ts';
import type { NodeStats } from '../client/journeys.ts';
import type { StepCounts } from '../graph/flow.ts';

/** Counts per step from the API's stats: entered, waiting now, converted. */
export function toCounts(stats: readonly NodeStats[]): Map<string, StepCounts> {
  return new Map(stats.map((s) => [s.nodeId, { entered: s.entered, waiting: s.waiting, converted: s.converted }]));
}

/**
 * Live numbers of a published journey, refreshed every few seconds while the page is open
 * (and paused while the tab is hidden). Null when off or not loaded yet.
 */
export function useLiveStats(journeyId: string, enabled: boolean, intervalMs = 5000): Map<string, StepCounts> | null {
  const [counts, setCounts] = useState<{ key: string; value: Map<string, StepCounts> } | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const load = () => {
      if (document.visibilityState === 'hidden') return;
      journeysApi.stats(journeyId).then(
        (stats) => {
          if (!live) return;
          // Same numbers keep the same map, so the canvas does not re-render for nothing.
          const key = JSON.stringify(stats);
          setCounts((prev) => (prev?.key === key ? prev : { key, value: toCounts(stats) }));
        },
        () => {},
      );
    };
    load();
    const timer = window.setInterval(load, intervalMs);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [journeyId, enabled, intervalMs]);
  return enabled ? (counts?.value ?? null) : null;
}
