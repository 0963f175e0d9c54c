import type { Db } from 'mongodb';
import { compile } from '../journey/compile/compile.ts';
import { getCustomer, upsertCustomer } from '../store/customers.ts';
import { anyEvent, writeRegistry } from '../store/runs.ts';
import type { JourneyDefinition } from '../journey/definition.ts';
import { JourneyGraph } from '../journey/graph.ts';
import type { MessageTemplate } from '../journey/template.ts';

/** Small, valid journeys and templates for API tests. Only tests import this. */

export type Trigger =
  | { kind: 'event'; config: { eventType: string; filter: { property: string; op: 'gte' | 'eq'; value: number | string }[] } }
  | { kind: 'segment'; config: { segment: string } }
  | { kind: 'api'; config: Record<string, never> }
  | { kind: 'audience'; config: { segment: string; sendRatePerMinute: number } };

export const triggers = {
  event: (eventType: string, filter: { property: string; op: 'gte' | 'eq'; value: number | string }[] = []): Trigger => ({
    kind: 'event',
    config: { eventType, filter },
  }),
  segment: (segment: string): Trigger => ({ kind: 'segment', config: { segment } }),
  api: (): Trigger => ({ kind: 'api', config: {} }),
  audience: (segment: string, sendRatePerMinute = 600): Trigger => ({ kind: 'audience', config: { segment, sendRatePerMinute } }),
};

/** trigger → (email with `templateId` →) exit. */
export function simpleGraph(id: string, trigger: Trigger, templateId?: string): JourneyGraph {
  const at = (y: number) => ({ x: 0, y });
  const nodes: unknown[] = [{ id: 'trigger', ...trigger, position: at(0) }];
  const edges: unknown[] = [];
  if (templateId === undefined) {
    edges.push({ id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'done' });
  } else {
    nodes.push({ id: 'send', kind: 'email', config: { templateId }, position: at(100), label: 'Send it' });
    edges.push({ id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'send' });
    edges.push({ id: 'e2', source: 'send', sourceHandle: 'sent', target: 'done' });
  }
  nodes.push({ id: 'done', kind: 'exit', config: {}, position: at(200) });
  return JourneyGraph.parse({ schemaVersion: 1, id, name: `Journey ${id}`, nodes, edges, settings: {} });
}

/** The compiled definition of a graph that must compile. */
export function definitionOf(graph: JourneyGraph): JourneyDefinition {
  const result = compile(graph);
  if (!result.ok) throw new Error(`fixture does not compile: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.value;
}

export function emailTemplate(id: string): MessageTemplate {
  return {
    id,
    channel: 'email',
    name: `Email ${id}`,
    locales: {
      en: { subject: 'Hi {{customer.firstName}}', html: '<p>Hello {{customer.name}}, code {{vars.couponCode}}</p>', text: 'Hello {{customer.name}}' },
      'zh-CN': { subject: '{{customer.name}}，你好', html: '<p>你好 {{customer.name}}</p>', text: '你好 {{customer.name}}' },
    },
  };
}

export function smsTemplate(id: string): MessageTemplate {
  return { id, channel: 'sms', name: `SMS ${id}`, locales: { en: { body: 'Hi {{customer.firstName}}, 20% off today with {{vars.couponCode}}' } } };
}

/**
 * Gives a customer (created if need be) a run that waits for `waitsFor` (any event by default),
 * as the run registry holds it: the event pipeline then routes those events of theirs to it.
 */
export async function registerWaitingRun(db: Db, customerId: string, journeyId = 'waiting', waitsFor: string[] = [anyEvent]): Promise<string> {
  const existing = await getCustomer(db, customerId);
  if (existing === null) await upsertCustomer(db, customerId, {}, new Date());
  const workflowId = `journey/${journeyId}/${customerId}`;
  await writeRegistry(db, [{ customerId, slot: journeyId, entry: { workflowId, waitsFor, at: new Date().toISOString() } }]);
  return workflowId;
}
