import type { JourneyDefinition } from './definition.ts';
import { own } from './ids.ts';

/** JSON with object keys sorted, so equal values always serialize equally. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export interface DefinitionDiff {
  added: string[];
  removed: string[];
  /** Steps whose kind, config, label or connections changed; moving a step on the canvas is not a change. */
  changed: string[];
  settingsChanged: boolean;
}

/**
 * Which steps differ between two versions of a journey, for the version history view.
 *
 * @example diffDefinitions(v1, v2) // { added: ['sms-1'], removed: [], changed: ['wait-1'], settingsChanged: false }
 */
export function diffDefinitions(a: JourneyDefinition, b: JourneyDefinition): DefinitionDiff {
  const essence = (d: JourneyDefinition, id: string) => {
    const node = own(d.nodes, id);
    return canonical({ kind: node?.kind, config: node?.config, label: node?.label, wiring: own(d.wiring, id) ?? {} });
  };
  const before = Object.keys(a.nodes);
  const after = Object.keys(b.nodes);
  return {
    added: after.filter((id) => !Object.hasOwn(a.nodes, id)),
    removed: before.filter((id) => !Object.hasOwn(b.nodes, id)),
    changed: after.filter((id) => Object.hasOwn(a.nodes, id) && essence(a, id) !== essence(b, id)),
    settingsChanged: canonical(a.settings) !== canonical(b.settings),
  };
}
