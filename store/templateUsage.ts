import type { Db } from 'mongodb';
import { templateSteps, waitingToReach } from '../journey/templateUsage.ts';
import type { TemplateStep } from '../journey/templateUsage.ts';
import { getVersion, listJourneys } from './journeys.ts';
import type { JourneyStatus } from './journeys.ts';
import { stepCounts } from './rollups.ts';

/** A journey that sends a template: where (draft and live steps) and how many may still receive it. */
export interface TemplateUse {
  journeyId: string;
  name: string;
  status: JourneyStatus;
  /** Steps of the latest published version that send it (none before the first publish). */
  liveSteps: TemplateStep[];
  /** Steps of the draft that send it. */
  draftSteps: TemplateStep[];
  /** Customers waiting at a step of the live journey from which a sending step can be reached. */
  waiting: number;
}

/**
 * Which journeys (not archived) send `templateId`, in their draft or their latest published
 * version, and for published or paused ones how many customers wait upstream of a sending step
 * (the rollup's per-step waiting counts, walked back through the latest version's wiring).
 */
export async function templateUsage(db: Db, templateId: string): Promise<TemplateUse[]> {
  const uses: TemplateUse[] = [];
  let cursor: string | undefined;
  do {
    const page = await listJourneys(db, {}, { limit: 500, cursor });
    for (const journey of page.items) {
      if (journey.status === 'archived') continue;
      const draftSteps = templateSteps(journey.draft.nodes, templateId);
      const version = journey.latestVersion > 0 ? await getVersion(db, journey.id, journey.latestVersion) : null;
      const liveSteps = version === null ? [] : templateSteps(Object.values(version.definition.nodes), templateId);
      if (draftSteps.length === 0 && liveSteps.length === 0) continue;
      let waiting = 0;
      if (version !== null && liveSteps.length > 0 && (journey.status === 'published' || journey.status === 'paused')) {
        const counts = Object.fromEntries((await stepCounts(db, journey.id)).map((c) => [c.nodeId, c.waiting]));
        waiting = waitingToReach(version.definition, liveSteps.map((s) => s.nodeId), counts);
      }
      uses.push({ journeyId: journey.id, name: journey.name, status: journey.status, liveSteps, draftSteps, waiting });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return uses;
}
