import { z } from 'zod';
import { EventType } from './event.ts';
import { JourneyId } from './graph.ts';
import { HandleId, NodeId } from './ids.ts';
import { GraphNode } from './nodes/registry.ts';
import { JourneySettings } from './settings.ts';

/**
 * A compiled, validated journey: what a published version stores and what each run receives by
 * value. Only `compile()` should produce one.
 */
export const JourneyDefinition = z.object({
  schemaVersion: z.literal(1),
  id: JourneyId,
  name: z.string().min(1).max(120),
  description: z.string().max(2000).optional(),
  settings: JourneySettings,
  /** The trigger step. */
  entryNodeId: NodeId,
  /** Steps by id, in the order the editor listed them (positions kept for `decompile`). */
  nodes: z.record(NodeId, GraphNode),
  /** Step id → exit id → next step id. Optional exits (an action's `failed`) may be absent. */
  wiring: z.record(NodeId, z.record(HandleId, NodeId)),
  /** Event types whose times runs remember for event-count conditions. */
  trackedEvents: z.array(EventType),
});
export type JourneyDefinition = z.infer<typeof JourneyDefinition>;
