import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSendJournal } from './send-journal.ts';

const journalFile = () => join(mkdtempSync(join(tmpdir(), 'journal-')), 'send-journal.jsonl');

describe('fileSendJournal', () => {
  it('keeps attempts and acceptances across a restart until the ledger settles them', () => {
    const file = journalFile();
    const journal = fileSendJournal(file);
    journal.attempt('a');
    journal.attempt('b');
    journal.record('b', '<b@smtp>');
    journal.attempt('c');
    journal.record('c', '<c@smtp>');
    journal.settle('c');
    const reopened = fileSendJournal(file);
    expect([reopened.attempted('a'), reopened.accepted('a')]).toEqual([true, undefined]);
    expect(reopened.accepted('b')).toBe('<b@smtp>');
    expect(reopened.attempted('c')).toBe(false);
  });

  it('stays small however many sends pass through it', () => {
    const file = journalFile();
    const journal = fileSendJournal(file);
    for (let i = 0; i < 25_000; i++) {
      journal.attempt(`k${i}`);
      journal.record(`k${i}`, `<${i}@smtp>`);
      journal.settle(`k${i}`);
    }
    journal.attempt('open');
    expect(readFileSync(file, 'utf8').split('\n').length).toBeLessThan(10_100);
    expect(fileSendJournal(file).attempted('open')).toBe(true);
    expect(fileSendJournal(file).attempted('k24999')).toBe(false);
  });
});
