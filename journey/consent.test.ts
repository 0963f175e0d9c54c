import { describe, expect, it } from 'vitest';
import { ConsentWrite, consentRecords, hasConsent, upgradeConsent } from './consent.ts';

const at = '2026-01-02T03:04:05.000Z';

describe('consent records', () => {
  it('stamps what a caller sent with its source and time, keeping a record’s own', () => {
    expect(consentRecords({ email: true, sms: { granted: false, at: '2025-12-01T00:00:00.000Z', source: 'form' } }, 'import', at)).toEqual({
      email: { granted: true, at, source: 'import' },
      sms: { granted: false, at: '2025-12-01T00:00:00.000Z', source: 'form' },
    });
    expect(consentRecords({}, 'api', at)).toEqual({});
    expect(ConsentWrite.safeParse({ email: 'yes' }).success).toBe(false);
    expect(ConsentWrite.safeParse({ fax: true }).success).toBe(false);
  });

  it('grants nothing without a record, and reads the booleans of earlier versions', () => {
    expect(hasConsent({ consent: {} }, 'email')).toBe(false);
    expect(hasConsent({ consent: { email: { granted: false, at, source: 'stop' } } }, 'email')).toBe(false);
    expect(hasConsent({ consent: { email: { granted: true, at, source: 'form' } } }, 'email')).toBe(true);
    expect(upgradeConsent({ email: true, sms: false }, at)).toEqual({ email: { granted: true, at, source: 'migrated' }, sms: { granted: false, at, source: 'migrated' } });
    expect(upgradeConsent(undefined, at)).toEqual({});
    expect(upgradeConsent({ email: 'yes' }, at)).toEqual({});
  });
});
