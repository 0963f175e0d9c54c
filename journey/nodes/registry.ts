import { z } from 'zod';
import { quote } from '../compile/errors.ts';
import { branchNode } from './branch.ts';
import { CouponCommand, couponNode } from './coupon.ts';
import { EmailCommand, emailNode } from './email.ts';
import { exitNode } from './exit.ts';
import { SmsCommand, smsNode } from './sms.ts';
import type { CheckContext } from '../compile/errors.ts';
import type { CustomerEvent } from '../event.ts';
import type { ActionSpec, ExitSpec, NodeOutcome, NodeSpec, ResumeInput, RunContext, TriggerSpec } from './spec.ts';
import { splitNode } from './split.ts';
import { TaskCommand, taskNode } from './task.ts';
import { apiTrigger } from './trigger-api.ts';
import { audienceTrigger } from './trigger-audience.ts';
import { dateTrigger } from './trigger-date.ts';
import { eventTrigger } from './trigger-event.ts';
import { RobotCommand, robotNode } from './robot.ts';
import { segmentTrigger } from './trigger-segment.ts';
import { UpdateCommand, updateNode } from './update.ts';
import { waitForEventNode } from './wait-for-event.ts';
import { waitNode } from './wait.ts';
import { WebhookCommand, webhookNode } from './webhook.ts';
import { WecomCommand, wecomNode } from './wecom.ts';

// Adding a node kind: write its file under nodes/, then add it to the lists below (an action
// kind also to `ActionCommand`, and its handler to activities/actions/). The type checks
// underneath fail until they all agree.

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
  'robot',
  'wecom',
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
  robotNode.node,
  wecomNode.node,
]);
export type GraphNode = z.infer<typeof GraphNode>;

/**
 * What the workflow hands an action's activity: the shared action fields, the kind and its
 * config (one `…Command` per action kind, declared in the kind's file).
 */
export const ActionCommand = z.discriminatedUnion('kind', [EmailCommand, SmsCommand, CouponCommand, TaskCommand, UpdateCommand, WebhookCommand, RobotCommand, WecomCommand]);
export type ActionCommand = z.infer<typeof ActionCommand>;
type ActionKind = ActionCommand['kind'];

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
  robot: robotNode,
  wecom: wecomNode,
} satisfies Record<NodeKind, NodeSpec> & NodeRegistry;

// Every action command kind is an action node with an engine spec, and the other way round.
type ActionNodeKind = { [K in NodeKind]: (typeof specs)[K]['action'] extends ActionSpec ? K : never }[NodeKind];
const actionsAgree: Same<ActionKind, ActionNodeKind> = true;
void actionsAgree;

/** Each action kind's Temporal activity type, e.g. `ActivityOf<'email'>` is `'sendEmail'`. */
export type ActivityOf<K extends ActionKind> = (typeof specs)[K]['action']['activity'];

/** How the engine runs an action kind: its activity, retry policy and simulation. */
export function actionSpecOf<K extends ActionKind>(kind: K): ActionSpec<ActivityOf<K>> {
  return specs[kind].action as ActionSpec<ActivityOf<K>>;
}

/** The action kinds, in registry order. */
export const actionKinds: readonly ActionKind[] = ActionCommand.options.map((option) => option.shape.kind.value);

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

/** What routing files a trigger step under (its event type or segment); nothing for other steps. */
export function triggerRoutesOf<K extends NodeKind>(node: { kind: K; config: NodeConfigMap[K] }): { eventType?: string; segment?: string } {
  const trigger: TriggerSpec<NodeConfigMap[K]> | undefined = nodeRegistry[node.kind].trigger;
  return trigger?.routes(node.config) ?? {};
}

/** Does `event` let its customer into a journey starting at this trigger step, at `now`? */
export function triggerEnters<K extends NodeKind>(node: { kind: K; config: NodeConfigMap[K] }, event: CustomerEvent, now: number): boolean {
  const trigger: TriggerSpec<NodeConfigMap[K]> | undefined = nodeRegistry[node.kind].trigger;
  return trigger?.enters?.(node.config, event, now) ?? false;
}

/** A step's name as messages show it: its label, or its kind and id. */
export function nodeName(node: { id: string; kind: NodeKind; label?: string | undefined }): string {
  return node.label ? quote(node.label) : `${nodeRegistry[node.kind].displayName} ${quote(node.id)}`;
}
