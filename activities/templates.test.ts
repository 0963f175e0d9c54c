import { describe, expect, it } from 'vitest';
import type { MessageTemplate } from '../journey/index.ts';
import { cachedTemplates } from './templates.ts';
import type { TemplateSource } from './templates.ts';

const version = (subject: string): MessageTemplate =>
  ({ id: 'offer', channel: 'email', locales: { en: { subject, html: '<p>hi</p>', text: 'hi' } } }) as unknown as MessageTemplate;

/** A source backed by a mutable store that counts its reads (the console edits `store`). */
function countingSource(store: Map<string, MessageTemplate>) {
  const source = { reads: 0, failNext: false } as { reads: number; failNext: boolean } & TemplateSource;
  source.get = async (id) => {
    source.reads += 1;
    if (source.failNext) {
      source.failNext = false;
      throw new Error('database unavailable');
    }
    return store.get(id) ?? null;
  };
  return source;
}

describe('cachedTemplates', () => {
  it('reads a template once for concurrent sends, and sees an edit once the time to live has passed', async () => {
    const store = new Map([['offer', version('First')]]);
    const source = countingSource(store);
    let clock = 0;
    const templates = cachedTemplates(source, 5_000, () => clock);
    const first = await Promise.all(Array.from({ length: 50 }, () => templates.get('offer')));
    expect(first.every((t) => t?.locales['en']?.subject === 'First')).toBe(true);
    expect(source.reads).toBe(1);
    store.set('offer', version('Edited'));
    clock = 4_999;
    expect((await templates.get('offer'))?.locales['en']?.subject).toBe('First');
    clock = 5_000;
    expect((await templates.get('offer'))?.locales['en']?.subject).toBe('Edited');
    expect(source.reads).toBe(2);
  });

  it('remembers a missing template like a found one, but not a failed read', async () => {
    const source = countingSource(new Map());
    const templates = cachedTemplates(source, 5_000, () => 0);
    expect(await templates.get('nope')).toBeNull();
    expect(await templates.get('nope')).toBeNull();
    expect(source.reads).toBe(1);
    source.failNext = true;
    await expect(templates.get('other')).rejects.toThrow('database unavailable');
    expect(await templates.get('other')).toBeNull();
    expect(source.reads).toBe(3);
  });
});
