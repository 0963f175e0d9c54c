import { JourneySettings } from '../../../journey/settings.ts';
import type { DraftGraph } from '../graph/draft.ts';

/**
 * A journey id from a name: lower-case words joined by `-`, plus a short suffix so two
 * "Win-back" journeys do not collide. Ids appear in workflow ids, so they stay plain.
 *
 * @example journeyIdFor('Win-back 90 days', 'k3f9') // 'win-back-90-days-k3f9'
 */
export function journeyIdFor(name: string, suffix: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return `${slug || 'journey'}-${suffix}`;
}

/** A short random suffix for ids. */
export function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 6);
}

/** A copy of a gallery journey (or an empty one) under a new id and name, with default settings filled in. */
export function newJourneyFrom(template: DraftGraph | null, name: string, id: string): DraftGraph {
  const settings = { ...JourneySettings.parse({}), ...(template?.settings ?? {}) };
  return { schemaVersion: 1, id, name, nodes: structuredClone(template?.nodes ?? []), edges: structuredClone(template?.edges ?? []), settings };
}
