import { describe, expect, it } from 'vitest';
import { reEntryAllowed } from './settings.ts';
import { DAY } from './time.ts';

describe('reEntryAllowed', () => {
  const ended = { running: false, endedAt: 1_000 };
  it.each([
    ['never: only the first time', { policy: 'never' } as const, ended, false],
    ['after exit: not while still in the journey', { policy: 'afterExit' } as const, { running: true }, false],
    ['after exit: once the run ended', { policy: 'afterExit' } as const, ended, true],
    ['cooldown: not before it passed', { policy: 'cooldown', cooldownDays: 30 } as const, { running: false, endedAt: 1_000 + 29 * DAY }, false],
    ['cooldown: after it passed', { policy: 'cooldown', cooldownDays: 30 } as const, ended, true],
  ])('%s', (_name, policy, previous, allowed) => {
    expect(reEntryAllowed(policy, previous, 1_000 + 30 * DAY)).toBe(allowed);
    expect(reEntryAllowed(policy, null, 0)).toBe(true);
  });
});
