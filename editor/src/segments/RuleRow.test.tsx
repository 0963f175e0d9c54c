// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import i18next from 'i18next';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ProfileCondition } from '../../../journey/condition.ts';
import { initI18n } from '../i18n/index.ts';
import { defaultRule } from './rules.ts';
import type { Rule } from './rules.ts';
import { RuleRow } from './RuleRow.tsx';

beforeEach(async () => {
  await initI18n('en');
  await i18next.changeLanguage('en');
});
afterEach(cleanup);

/** The row as the builder holds it: the rule in state, the latest one visible to the test. */
function Harness({ start, seen }: { start: Rule; seen: Rule[] }) {
  const [rule, setRule] = useState(start);
  return (
    <ul>
      <RuleRow
        rule={rule}
        index={0}
        segments={[]}
        onRemove={() => undefined}
        onChange={(next) => {
          seen.push(next);
          setRule(next);
        }}
      />
    </ul>
  );
}

describe('the event-history row', () => {
  test('a marketer picks it and writes "did not do order_completed where channel is not web at least 2 times in the last 14 days"', () => {
    const seen: Rule[] = [];
    render(<Harness start={defaultRule('stage')} seen={seen} />);
    fireEvent.change(screen.getByLabelText('Condition'), { target: { value: 'eventHistory' } });
    expect(screen.getByLabelText('Event type')).toHaveProperty('value', 'order_completed');
    // The picker offers the known event types.
    expect([...document.querySelectorAll('#event-types option')].map((o) => o.getAttribute('value'))).toContain('email_clicked');
    fireEvent.change(screen.getByLabelText('Did or did not'), { target: { value: 'no' } });
    fireEvent.change(screen.getByLabelText('Times'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Days'), { target: { value: '14' } });
    fireEvent.click(screen.getByText('+ property filter'));
    fireEvent.change(screen.getByLabelText('Property'), { target: { value: 'channel' } });
    fireEvent.change(screen.getByLabelText('Property comparison'), { target: { value: 'neq' } });
    fireEvent.change(screen.getByLabelText('Property value'), { target: { value: 'web' } });
    const last = seen.at(-1);
    expect(last).toEqual({ type: 'eventHistory', did: false, eventType: 'order_completed', atLeast: 2, withinDays: 14, where: [{ property: 'channel', op: 'neq', value: 'web' }] });
    // What the row builds is what segments accept.
    expect(ProfileCondition.safeParse(last).success).toBe(true);
    fireEvent.click(screen.getByLabelText('Remove property filter'));
    expect(seen.at(-1)).toMatchObject({ where: [] });
    expect(screen.queryByLabelText('Property')).toBeNull();
  });

  test('reads in Chinese', async () => {
    await i18next.changeLanguage('zh-CN');
    render(<Harness start={defaultRule('eventHistory')} seen={[]} />);
    expect(screen.getByLabelText('事件类型')).toHaveProperty('value', 'order_completed');
    expect(screen.getByText('至少')).toBeTruthy();
    expect(screen.getByRole('option', { name: '没做过' })).toBeTruthy();
    expect(screen.getByRole('option', { name: '行为记录' })).toBeTruthy();
  });
});
