import type { Db } from 'mongodb';
import { isDuplicateKeyError } from './documents.ts';

/**
 * Sending slots of group robots, for their rate limits (about 20 messages a minute each). A
 * robot has `perWindow` slot documents `{robot}#{i}`; a slot holds the time it is free again.
 * Taking one is a compare-and-set on that time (or an insert, the first time), so of two
 * workers racing for a slot exactly one gets it: at most `perWindow` sends start in any window,
 * whatever runs at once. Looked up by `_id` only (FerretDB's fast path).
 */
interface SlotDocument {
  _id: string;
  /** Epoch ms when the slot may be used again. */
  freeAt: number;
  /** The effect key of the send that holds it. */
  holder: string;
}

function slots(db: Db) {
  return db.collection<SlotDocument>('robotSlots');
}

/** A slot taken for one send, or when the first slot frees up. */
export type SlotClaim = { taken: true; slot: string } | { taken: false; freeAt: number };

/**
 * Takes a free slot of `robot` until `holdUntil` (release it with `releaseRobotSlot` once the
 * platform answered), or says when the earliest one frees.
 */
export async function takeRobotSlot(db: Db, robot: string, perWindow: number, now: number, holdUntil: number, holder: string): Promise<SlotClaim> {
  const ids = Array.from({ length: perWindow }, (_, i) => `${robot}#${i}`);
  const found = new Map((await slots(db).find({ _id: { $in: ids } }).toArray()).map((doc) => [doc._id, doc]));
  // The longest-free slots first; never-used ones before all.
  const free = ids.filter((id) => (found.get(id)?.freeAt ?? 0) <= now).sort((a, b) => (found.get(a)?.freeAt ?? 0) - (found.get(b)?.freeAt ?? 0));
  for (const id of free) {
    const current = found.get(id);
    if (current === undefined) {
      try {
        await slots(db).insertOne({ _id: id, freeAt: holdUntil, holder });
        return { taken: true, slot: id };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        continue; // another send took it first
      }
    }
    const result = await slots(db).updateOne({ _id: id, freeAt: current.freeAt }, { $set: { freeAt: holdUntil, holder } });
    if (result.modifiedCount === 1) return { taken: true, slot: id };
  }
  // Every slot is busy (or was taken under us): the earliest to free, read again.
  const again = await slots(db).find({ _id: { $in: ids } }).toArray();
  const earliest = again.length < ids.length ? now : Math.min(...again.map((doc) => doc.freeAt));
  return { taken: false, freeAt: Math.max(earliest, now + 1_000) };
}

/** Frees `slot` at `freeAt` (the platform's answer plus the window) if `holder` still holds it. */
export async function releaseRobotSlot(db: Db, slot: string, holder: string, freeAt: number): Promise<void> {
  await slots(db).updateOne({ _id: slot, holder }, { $set: { freeAt } });
}
