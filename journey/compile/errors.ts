import { z } from 'zod';
import type { AttributeType, Condition } from '../condition.ts';
import type { Channel } from '../customer.ts';

/** Stable codes: tools and tests match on these, marketers read `message`. */
export const CompileErrorCode = z.enum([
  'INVALID_GRAPH',
  'UNSUPPORTED_SCHEMA_VERSION',
  'INVALID_SETTINGS',
  'INVALID_NODE',
  'UNKNOWN_NODE_KIND',
  'DUPLICATE_NODE_ID',
  'INVALID_CONFIG',
  'INVALID_EDGE',
  'DUPLICATE_EDGE_ID',
  'EDGE_UNKNOWN_SOURCE',
  'EDGE_UNKNOWN_TARGET',
  'EDGE_UNKNOWN_EXIT',
  'EDGE_INTO_TRIGGER',
  'NO_TRIGGER',
  'MULTIPLE_TRIGGERS',
  'EXIT_NOT_CONNECTED',
  'EXIT_CONNECTED_TWICE',
  'UNREACHABLE_NODE',
  'CYCLE_WITHOUT_WAIT',
  'TEMPLATE_NOT_FOUND',
  'TEMPLATE_WRONG_CHANNEL',
  'TEMPLATE_LOCALE_MISSING',
  'BRANCH_WITHOUT_ELSE',
  'DUPLICATE_EXIT_ID',
  'SPLIT_WEIGHTS_NOT_100',
  'WAIT_NOT_POSITIVE',
  'WAIT_NO_DAYS',
  'UNKNOWN_ATTRIBUTE',
  'ATTRIBUTE_NOT_A_DATE',
  'UNKNOWN_EVENT',
  'UNKNOWN_SEGMENT',
  'INVALID_TIMEZONE',
]);
export type CompileErrorCode = z.infer<typeof CompileErrorCode>;

/** One problem in a journey graph, pointing at the step (and exit or edge) to fix. */
export const CompileError = z.object({
  /** The step at fault; `null` for problems with the journey as a whole or its settings. */
  nodeId: z.string().nullable(),
  code: CompileErrorCode,
  message: z.string(),
  /** The edge at fault, when an edge is. */
  edge: z.string().optional(),
  /** The exit (handle) at fault, e.g. `sent`, `else`, `timeout`. */
  handle: z.string().optional(),
  /** Where in the graph JSON, e.g. `nodes[3].config.templateId` or `settings.timezone`. */
  path: z.string().optional(),
});
export type CompileError = z.infer<typeof CompileError>;

/**
 * What the compiler may check references against. Each check runs only when its part is given,
 * so the editor can compile offline and the API with the full catalogue.
 */
export interface CompileContext {
  templates?: Record<string, { channel: Channel; locales: string[] }>;
  customerAttributes?: Record<string, AttributeType>;
  knownEvents?: string[];
  segments?: string[];
}

/** Reference checks node specs call from `check()`; each reports an error on the node if needed. */
export interface CheckContext {
  readonly context: CompileContext;
  readonly defaultLocale: string;
  /** The step's name as a marketer reads it, already quoted: “Send win-back email”. */
  readonly name: string;
  error(code: CompileErrorCode, message: string, where?: { handle?: string; path?: string }): void;
  checkEvent(eventType: string, path: string): void;
  checkSegment(segment: string, path: string): void;
  checkAttribute(attribute: string, path: string, expected?: AttributeType): void;
  checkCondition(condition: Condition, path: string): void;
  checkTemplate(templateId: string, channel: Channel, path: string): void;
  checkTimezone(timezone: string, path: string): void;
}

/** Quotes a name the way messages show it: “Welcome”. */
export function quote(text: string): string {
  return `“${text}”`;
}
