import { describe, expect, test } from 'vitest';
import { nodeRegistry } from '../../../journey/nodes/registry.ts';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('UI strings', () => {
  test('English and Simplified Chinese have the same keys, none empty', () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
    expect(keys(zhCN).filter((k) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], zhCN) === '')).toEqual([]);
  });

  test('every node kind in the registry has a name and description in both languages', () => {
    for (const kind of Object.keys(nodeRegistry)) {
      expect(Object.keys(en.kinds), kind).toContain(kind);
      expect(Object.keys(zhCN.kinds), kind).toContain(kind);
    }
  });
});
