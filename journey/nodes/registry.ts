import { z } from 'zod';
import { quote } from '../compile/errors.ts';
import { branchNode } from './branch.ts';
import { couponNode } from './coupon.ts';
import { emailNode } from './email.ts';
import { exitNode } from './exit.ts';
import { smsNode } from './sms.ts';
import type { CheckContext } from '../compile/errors.ts';
import type { ExitSpec, NodeOutcome, NodeSpec, ResumeInput, RunContext } from './spec.ts';
import { splitNode } from './split.ts';
import { taskNode } from './task.ts';
import { apiTrigger } from './trigger-api.ts';
import { audienceTrigger } from './trigger-audience.ts';
import { dateTrigger } from './trigger-date.ts';
import { eventTrigger } from './trigger-event.ts';
import { segmentTrigger } from './trigger-segment.ts';
import { updateNode } from './update.ts';
import { waitForEventNode } from './wait-for-event.ts';
import { waitNode } from './wait.ts';
import { webhookNode } from './webhook.ts';

// Adding a node kind: write its file under nodes/, then add it to the three lists below.
// The type checks underneath fail until all three agree.

export const NodeKind = z.enum([
  'event',
  'segment',
  'date',
  'audience',
  'api',
  'wait',
  'waitForEvent',
  'branch',
  'split',
  'exit',
  'email',
  'sms',
  'coupon',
  'task',
  'update',
  'webhook',
]);
export type NodeKind = z.infer<typeof NodeKind>;

/** A step as the editor saves it: id, kind, config (plain JSON), canvas position, optional label. */
export const GraphNode = z.discriminatedUnion('kind', [
  eventTrigger.node,
  segmentTrigger.node,
  dateTrigger.node,
  audienceTrigger.node,
  apiTrigger.node,
  waitNode.node,
  waitForEventNode.node,
  branchNode.node,
  splitNode.node,
  exitNode.node,
  emailNode.node,
  smsNode.node,
  couponNode.node,
  taskNode.node,
  updateNode.node,
  webhookNode.node,
]);
export type GraphNode = z.infer<typeof GraphNode>;

/** Each kind's config type, e.g. `NodeConfigMap['email']` is `{ templateId: string }`. */
export type NodeConfigMap = { [N in GraphNode as N['kind']]: N['config'] };
export type NodeRegistry = { readonly [K in NodeKind]: NodeSpec<K, NodeConfigMap[K]> };

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const kindsAgree: Same<NodeKind, GraphNode['kind']> = true;
void kindsAgree;

const specs = {
  event: eventTrigger,
  segment: segmentTrigger,
  date: dateTrigger,
  audience: audienceTrigger,
  api: apiTrigger,
  wait: waitNode,
  waitForEvent: waitForEventNode,
  branch: branchNode,
  split: splitNode,
  exit: exitNode,
  email: emailNode,
  sms: smsNode,
  coupon: couponNode,
  task: taskNode,
  update: updateNode,
  webhook: webhookNode,
} satisfies Record<NodeKind, NodeSpec> & NodeRegistry;

/** Every node kind's description: palette entry, config schema, defaults, exits, checks and interpreter step. */
export const nodeRegistry: NodeRegistry = specs;

/** Guards an untrusted kind name. */
export function isNodeKind(kind: unknown): kind is NodeKind {
  return typeof kind === 'string' && Object.hasOwn(nodeRegistry, kind);
}

/** The exits of a step with this config, e.g. a branch's condition ids plus `else`. */
export function exitsOf<K extends NodeKind>(node: { kind: K; config: NodeConfigMap[K] }): ExitSpec[] {
  return nodeRegistry[node.kind].exits(node.config);
}

/** True when the step always pauses, so a loop through it cannot spin. */
export function pausesOf<K extends NodeKind>(node: { kind: K; config: NodeConfigMap[K] }): boolean {
  return nodeRegistry[node.kind].pauses?.(node.config) ?? false;
}

/** Event types this step's conditions count. */
export function countedEventsOf<K extends NodeKind>(node: { kind: K; config: NodeConfigMap[K] }): string[] {
  return nodeRegistry[node.kind].countedEvents?.(node.config) ?? [];
}

/** A one-line summary of the step, e.g. "Wait 7 days". */
export function summaryOf<K extends NodeKind>(node: { kind: K; config: NodeConfigMap[K] }): string {
  return nodeRegistry[node.kind].summary(node.config);
}

/** Runs the kind's own compile checks on a step. */
export function checkNode<K extends NodeKind>(node: { kind: K; config: NodeConfigMap[K] }, ctx: CheckContext): void {
  nodeRegistry[node.kind].check?.(node.config, ctx);
}

/** The interpreter entering a step. */
export function enterNode<K extends NodeKind>(node: { kind: K; config: NodeConfigMap[K] }, ctx: RunContext): NodeOutcome {
  return nodeRegistry[node.kind].enter(node.config, ctx);
}

/** An input reaching the step the run is blocked on; `ignore` when the kind does not react to it. */
export function resumeNode<K extends NodeKind>(node: { kind: K; config: NodeConfigMap[K] }, ctx: RunContext, input: ResumeInput): NodeOutcome {
  return nodeRegistry[node.kind].resume?.(node.config, ctx, input) ?? { type: 'ignore' };
}

/** A step's name as messages show it: its label, or its kind and id. */
export function nodeName(node: { id: string; kind: NodeKind; label?: string | undefined }): string {
  return node.label ? quote(node.label) : `${nodeRegistry[node.kind].displayName} ${quote(node.id)}`;
}
