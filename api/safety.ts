import type { FieldIssue } from '../store/documents.ts';
import { formatPath } from '../store/documents.ts';

/**
 * Rejects input that could change the meaning of a MongoDB query or update: keys starting
 * with `$` (operators), keys containing `.` (paths into nested documents) and `__proto__`.
 * Schemas reject most of these anyway; this check runs first, on every body and query, so a
 * schema with an open record (custom attributes) cannot let one through.
 */

const maxDepth = 32;

function unsafeKeyReason(key: string): string | null {
  if (key.startsWith('$')) return 'field names may not start with $';
  if (key.includes('.')) return 'field names may not contain .';
  if (reservedKeys.includes(key)) return `field name ${key} is not allowed`;
  if (key.includes('\0')) return 'field names may not contain NUL';
  return null;
}

const reservedKeys = ['__proto__', 'constructor', 'prototype'];

/**
 * The rule of `unsafeKeyReason` as JSON Schema `propertyNames` (for the OpenAPI document),
 * added to `names` (the map's own rule for its keys). A pattern without look-arounds, so
 * generated clients and testers read it as the server does.
 */
export function safeKeyNames(names: Record<string, unknown>): Record<string, unknown> {
  return {
    ...names,
    ...(typeof names['pattern'] === 'string' || Array.isArray(names['enum']) ? {} : { pattern: '^(?:[^$.\\x00][^.\\x00]*)?$' }),
    not: { enum: reservedKeys },
  };
}

/** Every unsafe key in `value`, with its path under `location` (e.g. `body`). */
export function unsafeKeys(value: unknown, location: string): FieldIssue[] {
  const found: FieldIssue[] = [];
  const walk = (node: unknown, path: PropertyKey[]) => {
    if (path.length > maxDepth) {
      found.push({ path: formatPath(path), message: `nested deeper than ${maxDepth} levels` });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, [...path, index]));
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        const reason = unsafeKeyReason(key);
        if (reason !== null) found.push({ path: formatPath([...path, key]), message: reason });
        else walk(child, [...path, key]);
      }
    }
  };
  walk(value, [location]);
  return found;
}

/**
 * Keys of `input` that parsing dropped: zod strips unknown keys of non-strict objects (the
 * core's schemas are not all strict), so comparing input with output finds every unknown
 * field, however deep, without re-declaring the core's schemas.
 */
export function droppedKeys(input: unknown, output: unknown, location: string): FieldIssue[] {
  const found: FieldIssue[] = [];
  const walk = (a: unknown, b: unknown, path: PropertyKey[]) => {
    if (Array.isArray(a) && Array.isArray(b)) {
      a.forEach((item, index) => walk(item, b[index], [...path, index]));
    } else if (isPlainObject(a) && isPlainObject(b)) {
      for (const [key, child] of Object.entries(a)) {
        if (!Object.hasOwn(b, key)) found.push({ path: formatPath([...path, key]), message: 'unknown field' });
        else walk(child, b[key], [...path, key]);
      }
    }
  };
  walk(input, output, [location]);
  return found;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
