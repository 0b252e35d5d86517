/** When failed sign-ins lock an account, and for how long. */
export interface LockoutPolicy {
  /** Failures in a row that lock the account. */
  maxAttempts: number;
  /** The first lock's length; each later lock without a success in between lasts twice the one before. */
  baseLockSeconds: number;
  maxLockSeconds: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxAttempts: 5, baseLockSeconds: 300, maxLockSeconds: 86_400 };

export interface LockoutState {
  failedAttempts: number;
  lockouts: number;
  lockedUntil: Date | null;
}

export const isLocked = (state: LockoutState, now: Date): boolean => state.lockedUntil !== null && state.lockedUntil > now;

/** The state after one more failure: the count grows, and reaching the limit starts a lock that doubles. */
export function afterFailure(state: LockoutState, policy: LockoutPolicy, now: Date): LockoutState {
  const failedAttempts = state.failedAttempts + 1;
  if (failedAttempts < policy.maxAttempts) return { ...state, failedAttempts };
  const seconds = Math.min(policy.baseLockSeconds * 2 ** state.lockouts, policy.maxLockSeconds);
  return { failedAttempts: 0, lockouts: state.lockouts + 1, lockedUntil: new Date(now.getTime() + seconds * 1000) };
}

/** A success clears everything. */
export const afterSuccess = (): LockoutState => ({ failedAttempts: 0, lockouts: 0, lockedUntil: null });
