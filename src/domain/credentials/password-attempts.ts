import type { Clock } from '../clock.js';
import { badInput, passwordsBusy } from '../errors.js';
import { afterSuccess, type LockoutPolicy, type LockoutState } from '../sessions/lockout.js';
import type { Stores, UnitOfWork } from '../stores.js';
import type { PasswordHasher } from './credential-store.js';

/** A store of password hashes with their lockout state: customers' credentials, staff members. */
export interface LockablePasswords {
  /**
   * Counts one failed attempt on the password of `id` unless it is locked at `now`, in one statement, with
   * the rule of afterFailure (src/domain/sessions/lockout.ts): concurrent attempts are counted one after
   * another. Answers the hash when the attempt was counted; null when the password is locked or there is none.
   */
  countFailure(id: string, policy: LockoutPolicy, now: Date): Promise<string | null>;
  saveLockout(id: string, state: LockoutState): Promise<void>;
}

/** A typed password is checked only when it has 1 to 1024 characters (the hash is not asked to do more). */
export function checkPasswordLength(password: string, field = 'password'): void {
  if (password.length === 0 || password.length > 1024) throw badInput(`${field} must have 1 to 1024 characters.`, field);
}

/** Matches no row: a refused attempt still sends the statement a real one sends. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

export type PasswordAttempts = ReturnType<typeof createPasswordAttempts>;

/**
 * Checks passwords under a lockout. Each attempt is counted as a failure before the password is checked,
 * so concurrent guesses cannot all pass the lockout check; a success clears it afterwards. Every path sends
 * the same statements and does the same argon2 work (an unknown or locked account is checked against a
 * dummy hash), so neither the answer nor its timing tells whether the account exists.
 */
export function createPasswordAttempts(deps: {
  uow: UnitOfWork;
  clock: Clock;
  hasher: PasswordHasher;
  lockout: LockoutPolicy;
  passwords: (stores: Stores) => LockablePasswords;
}) {
  const store = deps.passwords(deps.uow.read);

  /**
   * Whether `password` (as typed; compared in NFKC form) matches `hash`, the hash of an attempt already
   * counted; a null hash (nobody, or locked) is checked against the dummy hash and never matches.
   */
  async function matches(hash: string | null, password: string): Promise<boolean> {
    const verified = await deps.hasher.verify(hash ?? (await deps.hasher.dummyHash()), password.normalize('NFKC'));
    return hash !== null && verified;
  }

  /**
   * Refuses the attempt (RATE_LIMITED) when the hasher would refuse its hash: called before the attempt is
   * counted against the lockout, so a refusal for a busy process never locks anybody.
   */
  function refuseWhenBusy(): void {
    if (deps.hasher.busy()) throw passwordsBusy();
  }

  return {
    matches,
    refuseWhenBusy,
    /** Counts the attempt on `id` (null is nobody), checks the password, and a right one clears the lockout. */
    async verify(id: string | null, password: string): Promise<boolean> {
      refuseWhenBusy();
      const hash = await store.countFailure(id ?? NOBODY, deps.lockout, deps.clock.now());
      if (!(await matches(hash, password)) || id === null) return false;
      await store.saveLockout(id, afterSuccess());
      return true;
    },
  };
}
