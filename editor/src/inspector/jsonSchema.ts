import { z } from 'zod';

/**
 * The part of JSON Schema the inspector renders. Config forms are generated from the JSON Schema
 * zod produces for a node kind's config schema, so forms follow the core without editor changes.
 */
export interface JsonSchema {
  type?: string | string[] | undefined;
  enum?: unknown[] | undefined;
  const?: unknown;
  default?: unknown;
  properties?: Record<string, JsonSchema> | undefined;
  required?: string[] | undefined;
  items?: JsonSchema | undefined;
  additionalProperties?: JsonSchema | boolean | undefined;
  oneOf?: JsonSchema[] | undefined;
  anyOf?: JsonSchema[] | undefined;
  minimum?: number | undefined;
  maximum?: number | undefined;
  exclusiveMinimum?: number | undefined;
  minLength?: number | undefined;
  maxLength?: number | undefined;
  minItems?: number | undefined;
  pattern?: string | undefined;
  description?: string | undefined;
  $ref?: string | undefined;
  $defs?: Record<string, JsonSchema> | undefined;
}

const JsonSchemaParser: z.ZodType<JsonSchema> = z.lazy(() =>
  z.object({
    type: z.union([z.string(), z.array(z.string())]).optional(),
    enum: z.array(z.unknown()).optional(),
    const: z.unknown().optional(),
    default: z.unknown().optional(),
    properties: z.record(z.string(), JsonSchemaParser).optional(),
    required: z.array(z.string()).optional(),
    items: JsonSchemaParser.optional(),
    additionalProperties: z.union([JsonSchemaParser, z.boolean()]).optional(),
    oneOf: z.array(JsonSchemaParser).optional(),
    anyOf: z.array(JsonSchemaParser).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    exclusiveMinimum: z.number().optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    minItems: z.number().optional(),
    pattern: z.string().optional(),
    description: z.string().optional(),
    $ref: z.string().optional(),
    $defs: z.record(z.string(), JsonSchemaParser).optional(),
  }),
);

const cache = new WeakMap<z.ZodType, JsonSchema>();

/** The JSON Schema (input side: defaults are optional) of a zod schema; cached per schema. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const hit = cache.get(schema);
  if (hit) return hit;
  const parsed = JsonSchemaParser.safeParse(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
  const result = parsed.success ? parsed.data : {};
  cache.set(schema, result);
  return result;
}

/** Follows a local `$ref` (`#/$defs/Name`) against the root schema. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (!ref?.startsWith('#/$defs/')) return schema;
  return root.$defs?.[ref.slice('#/$defs/'.length)] ?? schema;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The alternatives of a union schema, if it is one. */
export function variantsOf(schema: JsonSchema): JsonSchema[] | null {
  return schema.oneOf ?? schema.anyOf ?? null;
}

/**
 * The property that tells the alternatives of an object union apart (each has a `const` for it),
 * e.g. `mode` for a wait step or `type` for a condition.
 */
export function discriminatorOf(variants: JsonSchema[], root: JsonSchema): string | null {
  const first = resolve(variants[0] ?? {}, root);
  for (const key of Object.keys(first.properties ?? {})) {
    if (variants.every((v) => resolve(v, root).properties?.[key]?.const !== undefined)) return key;
  }
  return null;
}

/** Which alternative a value is, by its discriminator (-1 when none matches). */
export function variantIndex(variants: JsonSchema[], key: string, value: unknown, root: JsonSchema): number {
  const tag = isRecord(value) ? value[key] : undefined;
  return variants.findIndex((v) => resolve(v, root).properties?.[key]?.const === tag);
}

export function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

/**
 * A starting value for a schema: its default, its const, the first enum value, or an empty
 * value of its type (objects get their required and defaulted properties).
 *
 * @example defaultFor({ type: 'object', properties: { mode: { const: 'duration' } }, required: ['mode'] }, root) // { mode: 'duration' }
 */
export function defaultFor(input: JsonSchema, root: JsonSchema): unknown {
  const schema = resolve(input, root);
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const variants = variantsOf(schema);
  if (variants?.[0]) return defaultFor(variants[0], root);
  switch (typeOf(schema) ?? '') {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(schema.properties ?? {})) {
        const required = schema.required?.includes(key) ?? false;
        if (required || resolve(prop, root).default !== undefined) out[key] = defaultFor(prop, root);
      }
      return out;
    }
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return schema.minimum !== undefined && schema.minimum > 0 ? schema.minimum : 1;
    case 'boolean':
      return false;
    case 'string':
      return '';
    default:
      return null;
  }
}
