import { z } from 'zod';
import { hasConsent } from './consent.ts';
import { AttributeValue, Channel, LifecycleStage, RfmCell } from './customer.ts';
import type { JourneyCustomer } from './customer.ts';
import { EventType } from './event.ts';
import type { CustomerEvent } from './event.ts';
import { own } from './ids.ts';
import { DAY } from './time.ts';

export const AttributeType = z.enum(['string', 'number', 'boolean', 'date']);
export type AttributeType = z.infer<typeof AttributeType>;

/**
 * Profile fields every customer has; conditions may use them without declaring them.
 * Any other attribute name refers to `customer.attributes[name]`.
 */
export const builtinAttributes = {
  email: 'string',
  phone: 'string',
  name: 'string',
  locale: 'string',
  timezone: 'string',
  birthday: 'date',
  createdAt: 'date',
  accountOwner: 'string',
  stage: 'string',
  valueTier: 'string',
  rfmCell: 'string',
  rfmRecency: 'number',
  rfmFrequency: 'number',
  rfmMonetary: 'number',
  orderCount: 'number',
  totalSpend: 'number',
  clv: 'number',
  predictedClv: 'number',
  churnRisk: 'number',
  nps: 'number',
  lastPurchaseAt: 'date',
  daysSinceLastPurchase: 'number',
} as const satisfies Record<string, AttributeType>;

/** Guards a name as one of the built-in profile attributes. */
export function isBuiltinAttribute(name: string): name is keyof typeof builtinAttributes {
  return Object.hasOwn(builtinAttributes, name);
}

export const ComparisonOp = z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'notContains', 'in', 'notIn', 'exists', 'notExists']);
export type ComparisonOp = z.infer<typeof ComparisonOp>;

const ComparedValue = z.union([AttributeValue, z.array(AttributeValue)]);

/** A test on one property of an event, e.g. `{ property: 'total', op: 'gte', value: 50 }`. */
export const PropertyFilter = z.object({
  property: z.string().min(1).max(64),
  op: ComparisonOp,
  value: ComparedValue.optional(),
});
export type PropertyFilter = z.infer<typeof PropertyFilter>;

const AttributeCondition = z.object({
  type: z.literal('attribute'),
  attribute: z.string().min(1).max(64),
  op: ComparisonOp,
  value: ComparedValue.optional(),
});
const SegmentCondition = z.object({ type: z.literal('segment'), segment: z.string().min(1), member: z.boolean().default(true) });
const StageCondition = z.object({ type: z.literal('stage'), stages: z.array(LifecycleStage).min(1) });
const RfmCondition = z.object({ type: z.literal('rfm'), cells: z.array(RfmCell).min(1) });
const TagCondition = z.object({ type: z.literal('tag'), tag: z.string().min(1), present: z.boolean().default(true) });
const ConsentCondition = z.object({ type: z.literal('consent'), channel: Channel, granted: z.boolean().default(true) });
/** Counts the customer's events of a type seen during this run in the last `withinDays` days. */
const EventCountCondition = z.object({
  type: z.literal('eventCount'),
  eventType: EventType,
  op: z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte']),
  count: z.number().int().nonnegative(),
  withinDays: z.number().positive(),
});

/** An equal / not-equal test on an event property, as the segment builder's event rows offer. */
export const EventPropertyMatch = z.object({
  property: z.string().min(1).max(64),
  op: z.enum(['eq', 'neq'], { error: 'op must be eq or neq' }),
  value: AttributeValue,
});
export type EventPropertyMatch = z.infer<typeof EventPropertyMatch>;

/**
 * "Did / did not do event X (whose properties match `where`) at least `atLeast` times in the
 * last `withinDays` days", over the customer's stored events. Segments only: it needs the
 * event store, which a journey run's interpreter does not read (a branch can test membership of
 * a segment that uses it). `did: false` is "fewer than `atLeast` times", so customers with no
 * events at all match it.
 */
export const EventHistoryCondition = z.object({
  type: z.literal('eventHistory'),
  did: z.boolean().default(true),
  eventType: EventType,
  where: z.array(EventPropertyMatch).max(10).default([]),
  atLeast: z.number().int('atLeast must be a whole number').min(1, 'atLeast must be at least 1').max(100_000).default(1),
  withinDays: z.number().int('withinDays must be a whole number of days').min(1, 'withinDays must be at least 1 day').max(3650),
});
export type EventHistoryCondition = z.infer<typeof EventHistoryCondition>;

export const SimpleCondition = z.discriminatedUnion('type', [
  AttributeCondition,
  SegmentCondition,
  StageCondition,
  RfmCondition,
  TagCondition,
  ConsentCondition,
  EventCountCondition,
]);
export type SimpleCondition = z.infer<typeof SimpleCondition>;

/**
 * What branches and audience filters test. One level of `all`/`any` keeps the editor's form
 * simple while covering rules like "high value and at risk".
 */
export const Condition = z.discriminatedUnion('type', [
  ...SimpleCondition.options,
  z.object({ type: z.literal('all'), conditions: z.array(SimpleCondition).min(1) }),
  z.object({ type: z.literal('any'), conditions: z.array(SimpleCondition).min(1) }),
]);
export type Condition = z.infer<typeof Condition>;

const profileOnly = {
  error: 'use a condition on the profile (attribute, segment, stage, rfm, tag, consent, eventHistory, all, any): eventCount counts events seen during a journey run, so only branches can use it',
};
const ProfileSimpleCondition = z.discriminatedUnion(
  'type',
  [AttributeCondition, SegmentCondition, StageCondition, RfmCondition, TagCondition, ConsentCondition, EventHistoryCondition],
  profileOnly,
);
export type ProfileSimpleCondition = z.infer<typeof ProfileSimpleCondition>;

/**
 * A condition on the profile and the customer's stored event history (no `eventCount`): what
 * segments, evaluated outside any run, can test.
 */
export const ProfileCondition = z.discriminatedUnion(
  'type',
  [
    ...ProfileSimpleCondition.options,
    z.object({ type: z.literal('all'), conditions: z.array(ProfileSimpleCondition).min(1) }),
    z.object({ type: z.literal('any'), conditions: z.array(ProfileSimpleCondition).min(1) }),
  ],
  profileOnly,
);
export type ProfileCondition = z.infer<typeof ProfileCondition>;

/**
 * How many of a customer's stored events each event-history condition counts, by
 * `eventHistoryKey` (absent: none). The store tallies them (store/eventHistory.ts).
 */
export type EventTallies = Readonly<Record<string, number>>;

/** The key an event-history condition's count is tallied under: what it counts, not how it compares. */
export function eventHistoryKey(condition: Pick<EventHistoryCondition, 'eventType' | 'where' | 'withinDays'>): string {
  return JSON.stringify([condition.eventType, condition.withinDays, condition.where.map((w) => [w.property, w.op, w.value])]);
}

/** The event-history conditions of some conditions, one per key. */
export function eventHistoryConditions(conditions: ReadonlyArray<Condition | ProfileCondition>): EventHistoryCondition[] {
  const found = new Map<string, EventHistoryCondition>();
  for (const condition of conditions) {
    const leaves = condition.type === 'all' || condition.type === 'any' ? condition.conditions : [condition];
    for (const leaf of leaves) if (leaf.type === 'eventHistory') found.set(eventHistoryKey(leaf), leaf);
  }
  return [...found.values()];
}

/** True when a stored event at `at` (ms) with `properties` counts for an event-history condition at `now` (its type already matched). */
export function eventHistoryCounts(condition: EventHistoryCondition, at: number, properties: Readonly<Record<string, AttributeValue>> | undefined, now: number): boolean {
  return at >= now - condition.withinDays * DAY && at <= now && condition.where.every((w) => compareValue(own(properties, w.property), w.op, w.value));
}

/**
 * What a condition is evaluated against. `eventTimes` holds event times seen during the run;
 * `history` the customer's stored events counted for event-history conditions (required by one).
 */
export interface ConditionContext {
  customer: JourneyCustomer;
  now: number;
  eventTimes?: Readonly<Record<string, readonly number[]>>;
  history?: EventTallies;
}

/** Reads an attribute (built-in or custom) of a profile; `null` when the customer has none. */
export function attributeValue(customer: JourneyCustomer, name: string, now: number): AttributeValue {
  const c = customer.computed;
  switch (name) {
    case 'email':
    case 'phone':
    case 'name':
      // A journey's copy holds only whether the customer has one (`journeyView`).
      return customer[name] ?? (customer.present?.[name] === true ? true : null);
    case 'locale':
    case 'timezone':
    case 'birthday':
    case 'createdAt':
    case 'accountOwner':
      return customer[name] ?? null;
    case 'stage':
      return c.stage;
    case 'valueTier':
      return c.valueTier ?? null;
    case 'rfmCell':
      return c.rfm?.cell ?? null;
    case 'rfmRecency':
      return c.rfm?.recency ?? null;
    case 'rfmFrequency':
      return c.rfm?.frequency ?? null;
    case 'rfmMonetary':
      return c.rfm?.monetary ?? null;
    case 'orderCount':
    case 'totalSpend':
      return c[name];
    case 'clv':
      return c.clv?.historical ?? null;
    case 'predictedClv':
      return c.clv?.predicted ?? null;
    case 'churnRisk':
    case 'nps':
    case 'lastPurchaseAt':
      return c[name] ?? null;
    case 'daysSinceLastPurchase': {
      const last = c.lastPurchaseAt ? Date.parse(c.lastPurchaseAt) : NaN;
      return Number.isNaN(last) ? null : Math.floor((now - last) / DAY);
    }
    default:
      return own(customer.attributes, name) ?? null;
  }
}

function asNumber(value: AttributeValue): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (!Number.isNaN(n)) return n;
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return t;
  }
  return null;
}

function same(a: AttributeValue, b: AttributeValue): boolean {
  if (a === b) return true;
  const x = asNumber(a);
  const y = asNumber(b);
  return x !== null && y !== null ? x === y : String(a).toLowerCase() === String(b).toLowerCase();
}

/**
 * Compares a customer's or event's value with the value in a condition. Numbers and ISO dates
 * compare by magnitude; strings compare case-insensitively; a missing value never matches
 * anything but `neq`, `notContains`, `notIn` and `notExists`.
 */
export function compareValue(actual: AttributeValue | undefined, op: ComparisonOp, expected: AttributeValue | AttributeValue[] | undefined): boolean {
  const value = actual ?? null;
  const list = Array.isArray(expected) ? expected : [expected ?? null];
  const [first = null] = list;
  switch (op) {
    case 'exists':
      return value !== null && value !== '';
    case 'notExists':
      return value === null || value === '';
    case 'eq':
      return value !== null && same(value, first);
    case 'neq':
      return value === null || !same(value, first);
    case 'in':
      return value !== null && list.some((v) => same(value, v));
    case 'notIn':
      return value === null || !list.some((v) => same(value, v));
    case 'contains':
      return value !== null && String(value).toLowerCase().includes(String(first).toLowerCase());
    case 'notContains':
      return value === null || !String(value).toLowerCase().includes(String(first).toLowerCase());
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const x = asNumber(value);
      const y = asNumber(first);
      if (x === null || y === null) return false;
      return op === 'gt' ? x > y : op === 'gte' ? x >= y : op === 'lt' ? x < y : x <= y;
    }
  }
}

/** True when an event has the given type and passes every property filter. */
export function eventMatches(eventType: string, filter: readonly PropertyFilter[], event: CustomerEvent): boolean {
  return event.type === eventType && filter.every((f) => compareValue(own(event.properties, f.property), f.op, f.value));
}

function evaluateSimple(condition: SimpleCondition | EventHistoryCondition, ctx: ConditionContext): boolean {
  const { customer } = ctx;
  switch (condition.type) {
    case 'attribute':
      return compareValue(attributeValue(customer, condition.attribute, ctx.now), condition.op, condition.value);
    case 'segment':
      return customer.computed.segments.includes(condition.segment) === condition.member;
    case 'stage':
      return condition.stages.includes(customer.computed.stage);
    case 'rfm': {
      const cell = customer.computed.rfm?.cell;
      return cell !== undefined && condition.cells.includes(cell);
    }
    case 'tag':
      return customer.tags.includes(condition.tag) === condition.present;
    case 'consent': {
      const reachable = condition.channel === 'email' ? Boolean(customer.email ?? customer.present?.email) : Boolean(customer.phone ?? customer.present?.phone);
      return (hasConsent(customer, condition.channel) && reachable) === condition.granted;
    }
    case 'eventCount': {
      const since = ctx.now - condition.withinDays * DAY;
      const count = (own(ctx.eventTimes, condition.eventType) ?? []).filter((t) => t >= since && t <= ctx.now).length;
      return compareValue(count, condition.op, condition.count);
    }
    case 'eventHistory': {
      if (ctx.history === undefined) throw new Error(`an eventHistory condition on ${condition.eventType} needs the customer's event tallies`);
      return ((own(ctx.history, eventHistoryKey(condition)) ?? 0) >= condition.atLeast) === condition.did;
    }
  }
}

/**
 * Evaluates a branch or audience condition against a customer at time `now`.
 *
 * @example evaluateCondition({ type: 'stage', stages: ['dormant'] }, { customer, now }) // true for a dormant customer
 */
export function evaluateCondition(condition: Condition | ProfileCondition, ctx: ConditionContext): boolean {
  switch (condition.type) {
    case 'all':
      return condition.conditions.every((c) => evaluateSimple(c, ctx));
    case 'any':
      return condition.conditions.some((c) => evaluateSimple(c, ctx));
    case 'attribute':
    case 'segment':
    case 'stage':
    case 'rfm':
    case 'tag':
    case 'consent':
    case 'eventCount':
    case 'eventHistory':
      return evaluateSimple(condition, ctx);
  }
}

/** Event types an event-count condition needs the interpreter to remember. */
export function countedEvents(condition: Condition): string[] {
  const leaves = condition.type === 'all' || condition.type === 'any' ? condition.conditions : [condition];
  return leaves.flatMap((c) => (c.type === 'eventCount' ? [c.eventType] : []));
}
