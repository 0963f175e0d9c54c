import { useTranslation } from 'react-i18next';
import type { JsonSchema } from './jsonSchema.ts';

/** Props every basic input shares; the value is whatever JSON the config holds there. */
export interface InputProps {
  id: string;
  describedBy: string | undefined;
  value: unknown;
  invalid: boolean;
  onChange: (value: unknown) => void;
}

export function TextInput({ id, describedBy, value, invalid, onChange, schema }: InputProps & { schema: JsonSchema }) {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  const long = (schema.maxLength ?? 0) > 300;
  const common = { id, 'aria-describedby': describedBy, 'aria-invalid': invalid, value: text, maxLength: schema.maxLength };
  return long ? (
    <textarea {...common} rows={4} onChange={(e) => onChange(e.target.value)} />
  ) : (
    <input {...common} type="text" onChange={(e) => onChange(e.target.value)} />
  );
}

/**
 * A number field. While the box is empty the config holds `null`, so the compiler reports the
 * missing number on the step instead of the form silently inventing one.
 */
export function NumberInput({ id, describedBy, value, invalid, onChange, schema }: InputProps & { schema: JsonSchema }) {
  return (
    <input
      id={id}
      type="number"
      aria-describedby={describedBy}
      aria-invalid={invalid}
      value={typeof value === 'number' ? value : ''}
      min={schema.minimum}
      max={schema.maximum}
      step={schema.type === 'integer' ? 1 : 'any'}
      onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
    />
  );
}

export function BooleanInput({ id, describedBy, value, onChange }: InputProps) {
  return <input id={id} type="checkbox" aria-describedby={describedBy} checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
}

export function EnumInput({ id, describedBy, value, invalid, onChange, options, required }: InputProps & { options: unknown[]; required: boolean }) {
  const { t } = useTranslation();
  const index = options.findIndex((o) => o === value);
  return (
    <select
      id={id}
      aria-describedby={describedBy}
      aria-invalid={invalid}
      value={index < 0 ? '' : String(index)}
      onChange={(e) => onChange(e.target.value === '' ? undefined : options[Number(e.target.value)])}
    >
      {(index < 0 || !required) && <option value="">{t('inspector.choose')}</option>}
      {options.map((o, i) => (
        <option key={String(o)} value={i}>
          {t(`options.${String(o)}`, { defaultValue: String(o) })}
        </option>
      ))}
    </select>
  );
}

/**
 * Reads what a marketer typed into a free value box: numbers and true/false become JSON
 * numbers and booleans, anything else stays text; commas make a list.
 *
 * @example parseScalar('42') // 42
 * @example parseScalar('gold, silver') // ['gold', 'silver']
 */
export function parseScalar(text: string): unknown {
  const one = (s: string): string | number | boolean => {
    const trimmed = s.trim();
    if (trimmed === 'true') return true;
    if (trimmed === 'false') return false;
    if (trimmed !== '' && !Number.isNaN(Number(trimmed))) return Number(trimmed);
    return trimmed;
  };
  if (text.includes(',')) return text.split(',').map(one);
  return text === '' ? undefined : one(text);
}

/** The text a free value shows in its box. */
export function formatScalar(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => String(v)).join(', ');
  return value === undefined || value === null ? '' : String(value);
}

/** A value that may be text, a number, true/false or a list (a condition's compared value). */
export function ScalarInput({ id, describedBy, value, invalid, onChange }: InputProps) {
  return <input id={id} type="text" aria-describedby={describedBy} aria-invalid={invalid} defaultValue={formatScalar(value)} onChange={(e) => onChange(parseScalar(e.target.value))} />;
}
