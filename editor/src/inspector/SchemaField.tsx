import { useTranslation } from 'react-i18next';
import { ArrayField, RecordField } from './ArrayField.tsx';
import { FieldShell, useFieldLabel } from './FieldShell.tsx';
import { childPath } from './fieldProps.ts';
import type { FieldProps } from './fieldProps.ts';
import { BooleanInput, EnumInput, NumberInput, ScalarInput, TextInput } from './inputs.tsx';
import { defaultFor, discriminatorOf, isRecord, resolve, typeOf, variantIndex, variantsOf } from './jsonSchema.ts';
import type { JsonSchema } from './jsonSchema.ts';
import { widgetFor } from './widgets.tsx';

/** Renders one config field from its JSON Schema: a named widget, a union, an object, a list or an input. */
export function SchemaField(props: FieldProps) {
  const schema = resolve(props.schema, props.root);
  const Widget = widgetFor(props.name, schema);
  if (Widget) return <Widget {...props} schema={schema} />;
  const variants = variantsOf(schema);
  if (variants) {
    const key = discriminatorOf(variants, props.root);
    if (key) return <UnionField {...props} schema={schema} variants={variants} discriminator={key} />;
    return <ScalarField {...props} schema={schema} />;
  }
  switch (typeOf(schema) ?? '') {
    case 'object':
      if (schema.properties) return <ObjectField {...props} schema={schema} />;
      return <RecordField {...props} schema={schema} />;
    case 'array':
      return <ArrayField {...props} schema={schema} />;
    default:
      return <ScalarField {...props} schema={schema} />;
  }
}

function ScalarField(props: FieldProps) {
  const { schema } = props;
  const errors = props.errors.get(props.path);
  return (
    <FieldShell name={props.name} errors={errors}>
      {(id, describedBy) => {
        const common = { id, describedBy, value: props.value, invalid: Boolean(errors?.length), onChange: (v: unknown) => props.onChange(v, props.path) };
        if (schema.enum) return <EnumInput {...common} options={schema.enum} required={props.required} />;
        if (Array.isArray(schema.type) || variantsOf(schema)) return <ScalarInput {...common} />;
        switch (typeOf(schema) ?? '') {
          case 'number':
          case 'integer':
            return <NumberInput {...common} schema={schema} />;
          case 'boolean':
            return <BooleanInput {...common} />;
          default:
            return <TextInput {...common} schema={schema} />;
        }
      }}
    </FieldShell>
  );
}

/**
 * Fields that only mean something when a switch beside them is on, shown only then (and left
 * out of the form otherwise): a message's variant for customers who refused personalisation.
 */
const shownWhen: Readonly<Record<string, string>> = { nonPersonalisedTemplateId: 'personalised' };

function appliesTo(key: string, value: Record<string, unknown> | undefined): boolean {
  const flag = shownWhen[key];
  return flag === undefined || value?.[flag] === true || (value?.[key] !== undefined && value[key] !== '');
}

/** The fields of an object; an optional object (a split's holdout, a goal) gets an on/off switch. */
export function ObjectField(props: FieldProps & { omit?: string; bare?: boolean }) {
  const { t } = useTranslation();
  const label = useFieldLabel(props.name);
  const value = isRecord(props.value) ? props.value : undefined;
  const properties = Object.entries(props.schema.properties ?? {}).filter(([key]) => key !== props.omit && appliesTo(key, value));
  const body = (
    <>
      {properties.map(([key, prop]) => (
        <SchemaField
          key={key}
          name={key}
          path={childPath(props.path, key)}
          schema={prop}
          root={props.root}
          value={value?.[key]}
          required={props.schema.required?.includes(key) ?? false}
          errors={props.errors}
          onChange={(v, changed) => {
            const next: Record<string, unknown> = { ...(value ?? {}) };
            if (v === undefined) delete next[key];
            else next[key] = v;
            props.onChange(next, changed);
          }}
        />
      ))}
    </>
  );
  if (props.path === '' || props.bare) return body;
  const optional = !props.required;
  return (
    <fieldset className="form-group">
      <legend>
        {optional ? (
          <label className="switch">
            <input type="checkbox" checked={value !== undefined} onChange={(e) => props.onChange(e.target.checked ? defaultFor(props.schema, props.root) : undefined, props.path)} />
            {label}
          </label>
        ) : (
          label
        )}
      </legend>
      {value === undefined && optional ? <p className="muted small">{t('inspector.off')}</p> : body}
    </fieldset>
  );
}

/** An object union such as a wait's mode or a condition's type: a picker, then the chosen alternative's fields. */
function UnionField(props: FieldProps & { variants: JsonSchema[]; discriminator: string }) {
  const { t } = useTranslation();
  const { variants, discriminator: key, root } = props;
  const index = variantIndex(variants, key, props.value, root);
  const current = variants[index];
  const errors = props.errors.get(childPath(props.path, key));
  const picker = (
    <FieldShell name={key} errors={errors}>
      {(id, describedBy) => (
        <select
          id={id}
          aria-describedby={describedBy}
          value={index < 0 ? '' : String(index)}
          onChange={(e) => {
            const chosen = variants[Number(e.target.value)];
            if (chosen) props.onChange(defaultFor(chosen, root), childPath(props.path, key));
          }}
        >
          {index < 0 && <option value="">{t('inspector.choose')}</option>}
          {variants.map((v, i) => {
            const tag = String(resolve(v, root).properties?.[key]?.const);
            return (
              <option key={tag} value={i}>
                {t(`options.${tag}`, { defaultValue: tag })}
              </option>
            );
          })}
        </select>
      )}
    </FieldShell>
  );
  const fields = current ? <ObjectField {...props} schema={resolve(current, root)} omit={key} required bare /> : null;
  if (props.path === '') {
    return (
      <>
        {picker}
        {fields}
      </>
    );
  }
  return (
    <fieldset className="form-group">
      <legend>{t(`fields.${props.name}`, { defaultValue: props.name })}</legend>
      {picker}
      {fields}
    </fieldset>
  );
}
