import type { AttributeType, Condition } from '../condition.ts';
import { builtinAttributes, isBuiltinAttribute } from '../condition.ts';
import type { Channel } from '../customer.ts';
import { wellKnownEvents } from '../event.ts';
import { isValidTimezone } from '../timezone.ts';
import type { CheckContext, CompileContext, CompileError, CompileErrorCode } from './errors.ts';
import { quote } from './errors.ts';

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** " Did you mean “order_completed”?" when a known name is a likely typo fix. */
function suggestion(name: string, known: Iterable<string>): string {
  let best: string | null = null;
  // Allow about one edit in two characters: `signup` → `signed_up`, not `vip` → `lost`.
  let bestDistance = Math.max(2, Math.ceil(name.length / 2)) + 1;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best ? ` Did you mean ${quote(best)}?` : '';
}

// Built once per context object, not once per step: a 1,000-step journey calls createChecker 1,000 times.
const setsByContext = new WeakMap<CompileContext, { events: ReadonlySet<string> | null; segments: ReadonlySet<string> | null }>();

function catalogueSets(context: CompileContext) {
  let sets = setsByContext.get(context);
  if (!sets) {
    sets = {
      events: context.knownEvents ? new Set<string>([...wellKnownEvents, ...context.knownEvents]) : null,
      segments: context.segments ? new Set(context.segments) : null,
    };
    setsByContext.set(context, sets);
  }
  return sets;
}

const channelNames: Record<Channel, string> = { email: 'email', sms: 'SMS' };

/**
 * The checks node specs call, reporting on one step (or on the settings when `nodeId` is null).
 * Each check runs only when the compile context has the catalogue it needs.
 */
export function createChecker(
  errors: CompileError[],
  context: CompileContext,
  defaultLocale: string,
  at: { nodeId: string | null; name: () => string; pathPrefix: string },
): CheckContext {
  const push = (code: CompileErrorCode, message: string, where: { handle?: string; path?: string } = {}) => {
    const path = where.path ? `${at.pathPrefix}.${where.path}` : at.pathPrefix;
    errors.push({ nodeId: at.nodeId, code, message, ...(where.handle === undefined ? {} : { handle: where.handle }), path });
  };
  const { events, segments } = catalogueSets(context);

  let name: string | undefined;
  const checker: CheckContext = {
    context,
    defaultLocale,
    // Computed only when a message needs it: most steps have no errors.
    get name() {
      name ??= at.name();
      return name;
    },
    error: push,
    checkEvent(eventType, path) {
      if (!events || events.has(eventType)) return;
      push('UNKNOWN_EVENT', `${checker.name} uses the event ${quote(eventType)}, which Waymark has never received: check the spelling.${suggestion(eventType, events)}`, { path });
    },
    checkSegment(segment, path) {
      if (!segments || segments.has(segment)) return;
      push('UNKNOWN_SEGMENT', `${checker.name} uses the segment ${quote(segment)}, which does not exist: pick an existing segment.${suggestion(segment, segments)}`, { path });
    },
    checkAttribute(attribute, path, expected?: AttributeType) {
      const type: AttributeType | undefined = isBuiltinAttribute(attribute)
        ? builtinAttributes[attribute]
        : context.customerAttributes?.[attribute];
      if (type === undefined) {
        if (!context.customerAttributes) return;
        const known = [...Object.keys(builtinAttributes), ...Object.keys(context.customerAttributes)];
        push('UNKNOWN_ATTRIBUTE', `${checker.name} uses the customer attribute ${quote(attribute)}, which customers do not have: pick a known attribute.${suggestion(attribute, known)}`, { path });
        return;
      }
      if (expected === 'date' && type !== 'date') {
        push('ATTRIBUTE_NOT_A_DATE', `${checker.name} needs a date, but the customer attribute ${quote(attribute)} is a ${type}: pick a date attribute such as “birthday”.`, { path });
      }
    },
    checkCondition(condition: Condition, path) {
      const field = (base: string, name: string) => (base ? `${base}.${name}` : name);
      const leaves = condition.type === 'all' || condition.type === 'any' ? condition.conditions.map((c, i) => ({ c, p: field(path, `conditions[${i}]`) })) : [{ c: condition, p: path }];
      for (const { c, p } of leaves) {
        if (c.type === 'attribute') checker.checkAttribute(c.attribute, field(p, 'attribute'));
        else if (c.type === 'segment') checker.checkSegment(c.segment, field(p, 'segment'));
        else if (c.type === 'eventCount') checker.checkEvent(c.eventType, field(p, 'eventType'));
      }
    },
    checkTemplate(templateId, channel, path) {
      if (templateId === '') {
        push('TEMPLATE_NOT_FOUND', `${checker.name} has no message template: choose one.`, { path });
        return;
      }
      if (!context.templates) return;
      const template = Object.hasOwn(context.templates, templateId) ? context.templates[templateId] : undefined;
      if (!template) {
        push('TEMPLATE_NOT_FOUND', `${checker.name} uses the template ${quote(templateId)}, which does not exist: choose another template or create it.${suggestion(templateId, Object.keys(context.templates))}`, { path });
      } else if (template.channel !== channel) {
        push('TEMPLATE_WRONG_CHANNEL', `${checker.name} sends ${channelNames[channel]}, but ${quote(templateId)} is an ${channelNames[template.channel]} template: choose an ${channelNames[channel]} template.`, { path });
      } else if (!template.locales.includes(defaultLocale)) {
        push('TEMPLATE_LOCALE_MISSING', `${checker.name} uses ${quote(templateId)}, which has no ${quote(defaultLocale)} version (the journey’s default language): add that translation.`, { path });
      }
    },
    checkTimezone(timezone, path) {
      if (isValidTimezone(timezone)) return;
      push('INVALID_TIMEZONE', `${checker.name} uses the timezone ${quote(timezone)}, which does not exist: use a name such as “Asia/Shanghai” or “America/New_York”.`, { path });
    },
  };
  return checker;
}
