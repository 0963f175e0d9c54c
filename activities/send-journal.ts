import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';

/**
 * A local journal of sends the provider accepted, written synchronously the moment the provider
 * answers and before the ledger records it. An optimisation, not what correctness rests on (the
 * ledger's lease and the provider lookup are, see deliver.ts): for a provider that cannot be
 * asked (a plain SMTP relay) it closes the window for retries on the same machine — `npm start`
 * restarts its worker in place — where a killed worker's retry finds the key here and records
 * the send instead of sending again. The file survives a process crash, not a machine crash.
 */
export interface SendJournal {
  /** The provider's id of an accepted send of `key`, or undefined. */
  accepted(key: string): string | undefined;
  /** Whether a send of `key` was handed to the provider here (accepted or not, as far as we know). */
  attempted(key: string): boolean;
  /** Notes that `key` is about to be handed to the provider (synchronously). */
  attempt(key: string): void;
  /** Records that the provider accepted `key` (synchronously: it must outlive the process). */
  record(key: string, providerId: string): void;
  /** Forgets `key`: the ledger has recorded its outcome. */
  settle(key: string): void;
}

/** A journal that remembers nothing (tests with in-process workers). */
export const noSendJournal: SendJournal = {
  accepted: () => undefined,
  attempted: () => false,
  attempt: () => undefined,
  record: () => undefined,
  settle: () => undefined,
};

interface Entry {
  key: string;
  /** Absent while only attempted. */
  providerId?: string;
  /** The ledger has the outcome: the key is forgotten. */
  settled?: true;
  at: number;
}

/** Lines appended before the file is rewritten with only what is still open. */
const compactAfter = 10_000;

/**
 * A journal in a JSON-lines file. Entries older than `keepDays` are dropped when it is opened:
 * by then the ledger has long recorded them, or the activity has given up.
 *
 * @example const journal = fileSendJournal(join(dataDir, 'send-journal.jsonl'));
 */
export function fileSendJournal(file: string, keepDays = 7, now = Date.now()): SendJournal {
  const entries = new Map<string, Entry>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const entry = JSON.parse(line) as Entry;
        if (entry.settled) entries.delete(entry.key);
        // An acceptance wins over the attempt noted before it.
        else if (entry.at >= now - keepDays * 86_400_000 && entries.get(entry.key)?.providerId === undefined) entries.set(entry.key, entry);
      } catch {
        // A line cut short by a crash mid-write: that send was never recorded as accepted.
      }
    }
  }
  // Rewritten with the open entries only (in-flight sends, a handful), to a new file renamed
  // over the old one: a crash mid-rewrite leaves the old file whole. Appends go through one
  // descriptor opened for appending (three lines a send: one write each, no open and close),
  // reopened on the new file after each rewrite.
  let fd: number | null = null;
  const compact = () => {
    writeFileSync(`${file}.new`, [...entries.values()].map((e) => `${JSON.stringify(e)}\n`).join(''));
    renameSync(`${file}.new`, file);
    if (fd !== null) closeSync(fd);
    fd = openSync(file, 'a');
  };
  compact();
  let appended = 0;
  const append = (entry: Entry) => {
    writeSync(fd ?? (fd = openSync(file, 'a')), `${JSON.stringify(entry)}\n`);
    if (++appended >= compactAfter) {
      appended = 0;
      compact();
    }
  };
  return {
    accepted: (key) => entries.get(key)?.providerId,
    attempted: (key) => entries.has(key),
    attempt(key) {
      const entry = { key, at: Date.now() };
      entries.set(key, entry);
      append(entry);
    },
    record(key, providerId) {
      const entry = { key, providerId, at: Date.now() };
      entries.set(key, entry);
      append(entry);
    },
    settle(key) {
      if (!entries.delete(key)) return;
      append({ key, settled: true, at: Date.now() });
    },
  };
}
