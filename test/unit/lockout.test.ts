import { describe, expect, it } from 'vitest';
import { afterFailure, afterSuccess, DEFAULT_LOCKOUT, isLocked, type LockoutState } from '../../src/domain/sessions/lockout.js';

const start = new Date('2026-01-01T00:00:00Z');
const fresh: LockoutState = { failedAttempts: 0, lockouts: 0, lockedUntil: null };
const seconds = (state: LockoutState) => (state.lockedUntil!.getTime() - start.getTime()) / 1000;

function fail(times: number, state: LockoutState = fresh): LockoutState {
  let next = state;
  for (let i = 0; i < times; i += 1) next = afterFailure(next, DEFAULT_LOCKOUT, start);
  return next;
}

describe('lockout policy', () => {
  it('counts failures without locking below the limit', () => {
    expect(fail(4)).toEqual({ failedAttempts: 4, lockouts: 0, lockedUntil: null });
    expect(isLocked(fail(4), start)).toBe(false);
  });

  it('locks on the fifth failure for 5 minutes and starts counting again', () => {
    const locked = fail(5);
    expect(locked).toMatchObject({ failedAttempts: 0, lockouts: 1 });
    expect(seconds(locked)).toBe(300);
    expect(isLocked(locked, new Date(start.getTime() + 299_999))).toBe(true);
    expect(isLocked(locked, new Date(start.getTime() + 300_000))).toBe(false);
  });

  it('doubles each later lock, up to a day', () => {
    const lengths: number[] = [];
    let state = fresh;
    for (let lock = 0; lock < 11; lock += 1) {
      state = fail(5, state);
      lengths.push(seconds(state));
    }
    expect(lengths).toEqual([300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 76800, 86400, 86400]);
  });

  it('is cleared by a success', () => {
    expect(afterSuccess()).toEqual(fresh);
  });
});
