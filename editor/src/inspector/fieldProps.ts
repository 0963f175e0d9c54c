import type { JsonSchema } from './jsonSchema.ts';

/** What every generated form field gets. `path` is the field's place in the config, e.g. `conditions[0].label`. */
export interface FieldProps {
  name: string;
  path: string;
  schema: JsonSchema;
  root: JsonSchema;
  value: unknown;
  required: boolean;
  /** Reports the field's new value and the path of the input that changed (for undo coalescing). */
  onChange: (value: unknown, changedPath: string) => void;
  /** Compiler messages by config path. */
  errors: ReadonlyMap<string, string[]>;
}

/** `conditions` + 0 → `conditions[0]`; `offer` + `type` → `offer.type`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
