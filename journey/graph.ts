import { z } from 'zod';
import { HandleId, NodeId } from './ids.ts';
import { GraphNode } from './nodes/registry.ts';
import { JourneySettings } from './settings.ts';

/** Journey ids appear in workflow ids (`journey/{journeyId}/{customerId}`), so they stay plain. */
export const JourneyId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1–64 letters, digits, _ or -');

/** A connection from a step's named exit (`sourceHandle`) to the next step. */
export const GraphEdge = z.object({
  id: z.string().min(1).max(200),
  source: NodeId,
  sourceHandle: HandleId,
  target: NodeId,
});
export type GraphEdge = z.infer<typeof GraphEdge>;

/** The journey as the editor saves it (a draft) and as the CLI and API compile it. */
export const JourneyGraph = z.object({
  schemaVersion: z.literal(1),
  id: JourneyId,
  name: z.string().min(1).max(120),
  description: z.string().max(2000).optional(),
  nodes: z.array(GraphNode),
  edges: z.array(GraphEdge),
  settings: JourneySettings,
});
export type JourneyGraph = z.infer<typeof JourneyGraph>;

type GraphJsonSchema = z.core.JSONSchema.JSONSchema;
let cachedSchema: GraphJsonSchema | undefined;

/**
 * The JSON Schema (draft 2020-12) of the graph JSON, for API docs and other tools. Describes
 * what may be sent (defaults are optional), not the compiler's graph checks.
 */
export function graphJsonSchema(): GraphJsonSchema {
  cachedSchema ??= z.toJSONSchema(JourneyGraph, { io: 'input', target: 'draft-2020-12' });
  return cachedSchema;
}
