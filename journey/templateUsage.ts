import type { JourneyDefinition } from './definition.ts';
import { own } from './ids.ts';
import type { GraphNode } from './nodes/registry.ts';

/** A step that sends a template: its id and the label the marketer gave it, if any. */
export interface TemplateStep {
  nodeId: string;
  label?: string | undefined;
}

/**
 * The steps (of a draft's or a version's nodes) that send `templateId`: email, SMS or any step
 * whose config names it.
 *
 * @example templateSteps(Object.values(winBack.nodes), 'win-back-sms') // [{ nodeId: 'sms-offer', label: 'Offer by SMS' }]
 */
export function templateSteps(nodes: readonly GraphNode[], templateId: string): TemplateStep[] {
  return nodes
    .filter((node) => 'templateId' in node.config && node.config.templateId === templateId)
    .map((node) => ({ nodeId: node.id, ...(node.label === undefined ? {} : { label: node.label }) }));
}

/**
 * The steps from which a run can still reach one of `targets` (the targets included): a customer
 * waiting at one of them may yet receive what a target sends. Walks the wiring backwards.
 *
 * @example stepsLeadingTo(definition, ['sms-offer']) // Set { 'trigger', 'wait-7d', 'sms-offer' }
 */
export function stepsLeadingTo(definition: Pick<JourneyDefinition, 'wiring'>, targets: readonly string[]): Set<string> {
  const predecessors = new Map<string, string[]>();
  for (const [from, exits] of Object.entries(definition.wiring)) {
    for (const to of Object.values(exits)) predecessors.set(to, [...(predecessors.get(to) ?? []), from]);
  }
  const reached = new Set(targets);
  const queue = [...targets];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const from of predecessors.get(next) ?? []) {
      if (reached.has(from)) continue;
      reached.add(from);
      queue.push(from);
    }
  }
  return reached;
}

/** How many of `waiting` (runs waiting per step id) may still receive what `targets` send. */
export function waitingToReach(definition: Pick<JourneyDefinition, 'wiring'>, targets: readonly string[], waiting: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const step of stepsLeadingTo(definition, targets)) total += own(waiting, step) ?? 0;
  return total;
}
