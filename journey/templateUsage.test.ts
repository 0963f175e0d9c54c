import { expect, test } from 'vitest';
import { stepsLeadingTo, waitingToReach } from './templateUsage.ts';

// trigger → wait → branch ─yes→ email → done
//                        └─no──→ sms → done
const wiring = {
  trigger: { next: 'wait' },
  wait: { next: 'branch' },
  branch: { yes: 'email', no: 'sms' },
  email: { sent: 'done' },
  sms: { sent: 'done' },
};

test('customers upstream of a sending step may still receive it; those past it or on the other path may not', () => {
  expect([...stepsLeadingTo({ wiring }, ['email'])].sort()).toEqual(['branch', 'email', 'trigger', 'wait']);
  const waiting = { wait: 5, email: 1, sms: 2, done: 0 };
  // 5 waiting at the wait may take the yes path; 1 is at the email itself; the 2 at the SMS never reach it.
  expect(waitingToReach({ wiring }, ['email'], waiting)).toBe(6);
  expect(waitingToReach({ wiring }, ['email', 'sms'], waiting)).toBe(8);
});

test('a loop back to an earlier step ends the walk', () => {
  const loop = { trigger: { next: 'wait' }, wait: { next: 'email' }, email: { sent: 'wait' } };
  expect([...stepsLeadingTo({ wiring: loop }, ['email'])].sort()).toEqual(['email', 'trigger', 'wait']);
});
