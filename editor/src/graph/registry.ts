import { z } from 'zod';
import { nodeRegistry } from '../../../journey/nodes/registry.ts';
import type { ExitSpec, NodeCategory, NodeSpec } from '../../../journey/nodes/spec.ts';

/**
 * The editor's view of the core's node registry: the palette, the handles and the forms all
 * come from here, so a new node kind needs no editor change.
 */
export type AnySpec = NodeSpec<string, unknown>;

const specs: ReadonlyMap<string, AnySpec> = new Map(Object.entries(nodeRegistry).map(([kind, spec]): [string, AnySpec] => [kind, spec]));

export const categories: readonly NodeCategory[] = ['trigger', 'flow', 'action'];

/** The spec of a kind, or undefined for a kind this build does not know. */
export function specOf(kind: string): AnySpec | undefined {
  return specs.get(kind);
}

/** Every kind, grouped by palette category, in registry order. */
export function paletteGroups(): Array<{ category: NodeCategory; specs: AnySpec[] }> {
  const all = [...specs.values()];
  return categories.map((category) => ({ category, specs: all.filter((s) => s.category === category) }));
}

/** The config if it satisfies the kind's schema, else null. */
export function parseConfig(spec: AnySpec, config: unknown): unknown {
  const parsed = spec.configSchema.safeParse(config);
  return parsed.success ? parsed.data : null;
}

const Exits = z.array(z.object({ id: z.string().min(1), label: z.string(), optional: z.boolean().optional() }));

function tryExits(spec: AnySpec, config: unknown): ExitSpec[] | null {
  try {
    const exits = Exits.safeParse(spec.exits(config));
    return exits.success ? exits.data : null;
  } catch {
    return null;
  }
}

/**
 * The exits of a step. A half-filled config still shows exits, so edges do not vanish while the
 * marketer types: the parsed config's, else what the raw config yields, else the defaults'.
 */
export function exitsOf(kind: string, config: unknown): ExitSpec[] {
  const spec = specOf(kind);
  if (!spec) return [];
  const parsed = parseConfig(spec, config);
  return (parsed !== null ? tryExits(spec, parsed) : null) ?? tryExits(spec, config) ?? tryExits(spec, spec.defaults()) ?? [];
}

/** The one-line summary of a step, or null while its config is not valid. */
export function summaryOf(kind: string, config: unknown): string | null {
  const spec = specOf(kind);
  if (!spec) return null;
  try {
    const parsed = parseConfig(spec, config);
    return parsed === null ? null : spec.summary(parsed);
  } catch {
    return null;
  }
}
