import { describe, expect, it } from 'vitest';
import { afterProof, hasRecentStepUp, stepUpMethods } from '../../src/domain/sessions/step-up.js';

const now = new Date('2026-01-01T12:00:00Z');
const auth = (secondsAgo: number, acr: string) => ({ customerId: 'c', sessionId: 's', authTime: new Date(now.getTime() - secondsAgo * 1000), acr, amr: ['pwd'] });

describe('hasRecentStepUp', () => {
  it('accepts a recent password proof only while the customer has no second factor', () => {
    expect(hasRecentStepUp(auth(60, 'pwd'), [], now, 600)).toBe(true);
    expect(hasRecentStepUp(auth(60, 'pwd'), ['totp'], now, 600)).toBe(false);
    expect(hasRecentStepUp(auth(60, 'mfa'), ['totp'], now, 600)).toBe(true);
  });

  it('counts the window inclusively, to the millisecond', () => {
    expect(hasRecentStepUp(auth(600, 'mfa'), ['passkey'], now, 600)).toBe(true);
    expect(hasRecentStepUp(auth(600.001, 'mfa'), ['passkey'], now, 600)).toBe(false);
    expect(hasRecentStepUp(auth(601, 'pwd'), [], now, 600)).toBe(false);
  });
});

describe('stepUpMethods and afterProof', () => {
  it('offers the password only to customers without a second factor', () => {
    expect(stepUpMethods([])).toEqual(['password']);
    expect(stepUpMethods(['totp', 'recovery_code', 'totp'])).toEqual(['totp', 'recovery_code']);
  });

  it('raises acr to mfa with a second factor, and back to pwd with the password alone', () => {
    expect(afterProof({ amr: ['pwd'] }, 'totp')).toEqual({ acr: 'mfa', amr: ['pwd', 'otp'] });
    expect(afterProof({ amr: ['pwd', 'otp'] }, 'passkey')).toEqual({ acr: 'mfa', amr: ['pwd', 'otp', 'hwk'] });
    expect(afterProof({ amr: ['pwd', 'otp'] }, 'password')).toEqual({ acr: 'pwd', amr: ['pwd'] });
  });
});
