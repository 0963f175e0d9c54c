import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { FieldShell } from './FieldShell.tsx';
import type { FieldProps } from './fieldProps.ts';
import { childPath } from './fieldProps.ts';
import { EnumInput } from './inputs.tsx';
import { isRecord, resolve } from './jsonSchema.ts';
import type { JsonSchema } from './jsonSchema.ts';
import { useCatalog } from './context.ts';
import { TemplatePicker } from './TemplatePicker.tsx';

/** A free-text box with suggestions (events, attributes, timezones). */
function SuggestInput(props: FieldProps & { suggestions: readonly string[] }) {
  const errors = props.errors.get(props.path);
  return (
    <FieldShell name={props.name} errors={errors}>
      {(id, describedBy) => (
        <>
          <input id={id} list={`${id}-list`} type="text" aria-describedby={describedBy} aria-invalid={Boolean(errors?.length)} value={typeof props.value === 'string' ? props.value : ''} onChange={(e) => props.onChange(e.target.value, props.path)} />
          <datalist id={`${id}-list`}>
            {props.suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </>
      )}
    </FieldShell>
  );
}

function EventWidget(props: FieldProps) {
  return <SuggestInput {...props} suggestions={useCatalog().events} />;
}

function AttributeWidget(props: FieldProps) {
  return <SuggestInput {...props} suggestions={useCatalog().attributes.map((a) => a.name)} />;
}

const timezones: readonly string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
function TimezoneWidget(props: FieldProps) {
  return <SuggestInput {...props} suggestions={timezones} />;
}

/** A segment from the API, with a free box when the list is not available. */
function SegmentWidget(props: FieldProps) {
  const { segments } = useCatalog();
  const errors = props.errors.get(props.path);
  if (segments.length === 0) return <SuggestInput {...props} suggestions={[]} />;
  const ids = segments.map((s) => s.id);
  const options = typeof props.value === 'string' && props.value && !ids.includes(props.value) ? [props.value, ...ids] : ids;
  return (
    <FieldShell name={props.name} errors={errors}>
      {(id, describedBy) => <EnumInput id={id} describedBy={describedBy} value={props.value} invalid={Boolean(errors?.length)} options={options} required onChange={(v) => props.onChange(v, props.path)} />}
    </FieldShell>
  );
}

/** A time of day (`HH:MM`), as a native time input. */
function TimeWidget(props: FieldProps) {
  const errors = props.errors.get(props.path);
  return (
    <FieldShell name={props.name} errors={errors}>
      {(id, describedBy) => <input id={id} type="time" aria-describedby={describedBy} value={typeof props.value === 'string' ? props.value : ''} onChange={(e) => props.onChange(e.target.value, props.path)} />}
    </FieldShell>
  );
}

/** A duration as amount + unit on one row ("7 days", "12 hours"). */
function DurationWidget(props: FieldProps) {
  const { t } = useTranslation();
  const value = isRecord(props.value) ? props.value : {};
  const units = resolve(props.schema.properties?.['unit'] ?? {}, props.root).enum ?? [];
  const amountPath = childPath(props.path, 'amount');
  const errors = [...(props.errors.get(props.path) ?? []), ...(props.errors.get(amountPath) ?? [])];
  return (
    <FieldShell name={props.name} errors={errors}>
      {(id, describedBy) => (
        <div className="duration-input">
          <input
            id={id}
            type="number"
            min={0}
            aria-describedby={describedBy}
            aria-invalid={errors.length > 0}
            value={typeof value['amount'] === 'number' ? value['amount'] : ''}
            onChange={(e) => props.onChange({ ...value, amount: e.target.value === '' ? null : Number(e.target.value) }, amountPath)}
          />
          <select aria-label={t('fields.unit')} value={String(value['unit'] ?? '')} onChange={(e) => props.onChange({ ...value, unit: e.target.value }, childPath(props.path, 'unit'))}>
            {units.map((u) => (
              <option key={String(u)} value={String(u)}>
                {t(`options.${String(u)}`, { defaultValue: String(u) })}
              </option>
            ))}
          </select>
        </div>
      )}
    </FieldShell>
  );
}

const hhmm = '^([01]\\d|2[0-3]):[0-5]\\d$';

function isDuration(schema: JsonSchema): boolean {
  const props = schema.properties;
  return Boolean(props && Object.keys(props).length === 2 && props['amount'] && props['unit']);
}

/**
 * The custom widget for a config field, chosen by the field's name or shape: template and
 * segment pickers, event and attribute suggestions, time and duration inputs. Any kind that
 * names its fields the same way gets them with no editor change.
 */
export function widgetFor(name: string, schema: JsonSchema): ComponentType<FieldProps> | null {
  if (isDuration(schema)) return DurationWidget;
  if (schema.pattern === hhmm) return TimeWidget;
  if (schema.type !== 'string' || schema.enum) return null;
  switch (name) {
    case 'templateId':
    case 'nonPersonalisedTemplateId':
      return TemplatePicker;
    case 'segment':
      return SegmentWidget;
    case 'eventType':
      return EventWidget;
    case 'attribute':
      return AttributeWidget;
    case 'timezone':
      return TimezoneWidget;
    default:
      return null;
  }
}
