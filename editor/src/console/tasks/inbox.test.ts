import { describe, expect, test } from 'vitest';
import type { Task } from '../../client/tasks.ts';
import { iso, now, task } from '../testing/fixtures.ts';
import { allowedActions, apiFilters, defaultInboxFilter, isOverdue, sortTasks } from './inbox.ts';

const t = (o: Record<string, unknown>): Task => ({ ...task(), ...o }) as Task;

describe('the inbox rules', () => {
  test('a task to do past its due time is overdue; a done one never is', () => {
    expect(isOverdue(t({ dueAt: iso(-1) }), now)).toBe(true);
    expect(isOverdue(t({ dueAt: iso(1) }), now)).toBe(false);
    expect(isOverdue(t({ dueAt: iso(-1), status: 'done' }), now)).toBe(false);
    expect(isOverdue(t({ dueAt: undefined }), now)).toBe(false);
  });

  test('overdue first, then by priority, then by due time', () => {
    const list = [
      t({ id: 'low-soon', priority: 'low', dueAt: iso(1) }),
      t({ id: 'urgent-later', priority: 'urgent', dueAt: iso(30) }),
      t({ id: 'normal-overdue', priority: 'normal', dueAt: iso(-2) }),
      t({ id: 'urgent-sooner', priority: 'urgent', dueAt: iso(3) }),
    ];
    expect(sortTasks(list, now).map((x) => x.id)).toEqual(['normal-overdue', 'urgent-sooner', 'urgent-later', 'low-soon']);
  });

  test('"to do" asks for open and claimed tasks; "overdue" adds a due-before of now', () => {
    expect(apiFilters(defaultInboxFilter, now).map((f) => f.status)).toEqual(['open', 'claimed']);
    const overdue = apiFilters({ ...defaultInboxFilter, status: 'all', due: 'overdue', queue: 'vip' }, now);
    expect(overdue).toEqual([
      { status: 'open', queue: 'vip', assignee: undefined, priority: undefined, dueBefore: new Date(now).toISOString() },
      { status: 'claimed', queue: 'vip', assignee: undefined, priority: undefined, dueBefore: new Date(now).toISOString() },
    ]);
    expect(apiFilters({ ...defaultInboxFilter, status: 'done' }, now)).toHaveLength(1);
  });

  test('only the holder completes a claimed task; nobody acts without a name', () => {
    expect(allowedActions(t({ status: 'claimed', assignee: 'Li Na' }), 'Wang Fang')).toEqual({ claim: false, complete: false, heldBy: 'Li Na' });
    expect(allowedActions(t({ status: 'claimed', assignee: 'Li Na' }), 'Li Na')).toEqual({ claim: false, complete: true, heldBy: null });
    expect(allowedActions(t({ status: 'open' }), 'Li Na')).toEqual({ claim: true, complete: true, heldBy: null });
    expect(allowedActions(t({ status: 'open' }), '')).toEqual({ claim: false, complete: false, heldBy: null });
  });
});
