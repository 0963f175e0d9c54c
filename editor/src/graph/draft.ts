import { z } from 'zod';

/**
 * The journey graph as the editor holds it: the same JSON format the CLI compiles, but a step's
 * `config` may be half-filled while the marketer types. The compiler (not this schema) says what
 * is wrong, on the step at fault.
 */
export const DraftNode = z.object({
  id: z.string(),
  kind: z.string(),
  config: z.unknown(),
  position: z.object({ x: z.number(), y: z.number() }),
  label: z.string().optional(),
});
export type DraftNode = z.infer<typeof DraftNode>;

export const DraftEdge = z.object({
  id: z.string(),
  source: z.string(),
  sourceHandle: z.string(),
  target: z.string(),
});
export type DraftEdge = z.infer<typeof DraftEdge>;

export const DraftGraph = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  nodes: z.array(DraftNode),
  edges: z.array(DraftEdge),
  settings: z.record(z.string(), z.unknown()).default({}),
});
export type DraftGraph = z.infer<typeof DraftGraph>;

/** An empty journey, as "start from scratch" creates it. */
export function emptyGraph(id: string, name: string): DraftGraph {
  return { schemaVersion: 1, id, name, nodes: [], edges: [], settings: {} };
}

/**
 * Reads a journey file (export or CLI input); the error names the field at fault.
 *
 * @example parseGraphJson('{"schemaVersion":1,...}') // { ok: true, graph }
 */
export function parseGraphJson(text: string): { ok: true; graph: DraftGraph } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  const parsed = DraftGraph.safeParse(json);
  if (parsed.success) return { ok: true, graph: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'not a journey graph' };
}
