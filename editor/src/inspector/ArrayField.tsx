import { useTranslation } from 'react-i18next';
import { FieldShell, useFieldLabel } from './FieldShell.tsx';
import { childPath } from './fieldProps.ts';
import type { FieldProps } from './fieldProps.ts';
import { defaultFor, isRecord, resolve, typeOf } from './jsonSchema.ts';
import { SchemaField } from './SchemaField.tsx';

/**
 * A list: a set of checkboxes for a list of choices (weekdays), a comma-separated box for a list
 * of words, else one card per item (branch conditions, split arms, filters) with add, remove
 * and reorder.
 */
export function ArrayField(props: FieldProps) {
  const { t } = useTranslation();
  const label = useFieldLabel(props.name);
  const items = Array.isArray(props.value) ? props.value : [];
  const itemSchema = resolve(props.schema.items ?? {}, props.root);
  const errors = props.errors.get(props.path);
  if (itemSchema.enum) {
    const options = itemSchema.enum;
    return (
      <FieldShell name={props.name} errors={errors}>
        {(id) => (
          <div id={id} className="choice-group" role="group" aria-label={label}>
            {options.map((o) => (
              <label key={String(o)} className="choice">
                <input
                  type="checkbox"
                  checked={items.includes(o)}
                  onChange={(e) => props.onChange(e.target.checked ? options.filter((x) => x === o || items.includes(x)) : items.filter((x) => x !== o), props.path)}
                />
                {t(`options.${String(o)}`, { defaultValue: String(o) })}
              </label>
            ))}
          </div>
        )}
      </FieldShell>
    );
  }
  if (typeOf(itemSchema) !== 'object' && !itemSchema.oneOf && !itemSchema.anyOf) {
    return (
      <FieldShell name={props.name} errors={errors} hint={t('inspector.commaSeparated')}>
        {(id, describedBy) => (
          <input
            id={id}
            type="text"
            aria-describedby={describedBy}
            defaultValue={items.map(String).join(', ')}
            onChange={(e) => props.onChange(e.target.value.split(',').map((s) => s.trim()).filter(Boolean), props.path)}
          />
        )}
      </FieldShell>
    );
  }
  const set = (next: unknown[], changed = props.path) => props.onChange(next, changed);
  return (
    <fieldset className="form-group">
      <legend>{label}</legend>
      {errors?.length ? <div className="field-error" role="alert">{errors.join(' ')}</div> : null}
      {items.map((item, i) => (
        <div className="list-item" key={i}>
          <div className="list-item-bar">
            <span className="muted small">#{i + 1}</span>
            <button type="button" className="btn btn-icon" aria-label={t('inspector.moveUp')} disabled={i === 0} onClick={() => set(items.toSpliced(i - 1, 2, items[i], items[i - 1]))}>
              ↑
            </button>
            <button type="button" className="btn btn-icon" aria-label={t('inspector.moveDown')} disabled={i === items.length - 1} onClick={() => set(items.toSpliced(i, 2, items[i + 1], items[i]))}>
              ↓
            </button>
            <button type="button" className="btn btn-icon" aria-label={t('inspector.remove')} onClick={() => set(items.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
          <SchemaField
            name={props.name}
            path={childPath(props.path, i)}
            schema={itemSchema}
            root={props.root}
            value={item}
            required
            errors={props.errors}
            onChange={(v, changed) => set(items.map((x, j) => (j === i ? v : x)), changed)}
          />
        </div>
      ))}
      <button type="button" className="btn btn-small" onClick={() => set([...items, newItem(itemSchema, props, items.length)])}>
        + {t('inspector.add')}
      </button>
    </fieldset>
  );
}

/** A new list item; items with an `id` (branch paths, split arms) get a fresh one, since ids name exits. */
function newItem(schema: FieldProps['schema'], props: FieldProps, index: number): unknown {
  const item = defaultFor(schema, props.root);
  if (!isRecord(item) || !schema.properties?.['id']) return item;
  const used = new Set((Array.isArray(props.value) ? props.value : []).map((x) => (isRecord(x) ? x['id'] : undefined)));
  let n = index + 1;
  while (used.has(`path-${n}`)) n++;
  return { ...item, id: `path-${n}`, ...(schema.properties['label'] ? { label: `Path ${n}` } : {}) };
}

/** A map of names to text, e.g. webhook headers. */
export function RecordField(props: FieldProps) {
  const { t } = useTranslation();
  const label = useFieldLabel(props.name);
  const entries = Object.entries(isRecord(props.value) ? props.value : {});
  const set = (next: Array<[string, unknown]>) => props.onChange(Object.fromEntries(next), props.path);
  return (
    <fieldset className="form-group">
      <legend>{label}</legend>
      {entries.map(([key, value], i) => (
        <div className="kv-row" key={i}>
          <input aria-label={t('inspector.key')} value={key} onChange={(e) => set(entries.map((x, j) => (j === i ? [e.target.value, x[1]] : x)))} />
          <input aria-label={t('inspector.value')} value={String(value ?? '')} onChange={(e) => set(entries.map((x, j) => (j === i ? [x[0], e.target.value] : x)))} />
          <button type="button" className="btn btn-icon" aria-label={t('inspector.remove')} onClick={() => set(entries.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-small" onClick={() => set([...entries, [`header-${entries.length + 1}`, '']])}>
        + {t('inspector.add')}
      </button>
    </fieldset>
  );
}
