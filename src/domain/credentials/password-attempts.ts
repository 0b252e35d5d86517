import type { Clock } from '../clock.js';
import { badInput } from '../errors.js';
import { afterFailure, afterSuccess, isLocked, type LockoutPolicy, type LockoutState } from '../sessions/lockout.js';
import type { Stores, UnitOfWork } from '../stores.js';
import type { PasswordHasher } from './credential-store.js';

/** A store of password hashes with their lockout state: customers' credentials, staff members. */
export interface LockablePasswords {
  /** The hash and lockout state, locked until the transaction ends; null when there is none. */
  lockPassword(id: string): Promise<({ hash: string } & LockoutState) | null>;
  saveLockout(id: string, state: LockoutState): Promise<void>;
}

/** A typed password is checked only when it has 1 to 1024 characters (the hash is not asked to do more). */
export function checkPasswordLength(password: string, field = 'password'): void {
  if (password.length === 0 || password.length > 1024) throw badInput(`${field} must have 1 to 1024 characters.`, field);
}

/** Locks no row and updates none, but sends the same statements as a real attempt. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

export type PasswordAttempts = ReturnType<typeof createPasswordAttempts>;

/**
 * Checks passwords under a lockout. Each attempt is counted as a failure before the password is checked,
 * under the row lock, so concurrent guesses cannot all pass the lockout check; a success clears it
 * afterwards. Every path runs the same statements and the same argon2 work (an unknown account is checked
 * against a dummy hash), so neither the answer nor its timing tells whether the account exists.
 */
export function createPasswordAttempts(deps: {
  uow: UnitOfWork;
  clock: Clock;
  hasher: PasswordHasher;
  lockout: LockoutPolicy;
  newId: () => string;
  passwords: (stores: Stores) => LockablePasswords;
}) {
  const { uow, clock } = deps;
  // Made at start, so the first unknown account costs no more than later ones.
  const dummyHash = deps.hasher.hash(`kith-dummy-${deps.newId()}`);

  return {
    /** Whether `password` (as typed; compared in NFKC form) is the password of `id`; null is nobody. */
    async verify(id: string | null, password: string): Promise<boolean> {
      const attempt = await uow.transaction(async (tx) => {
        const store = deps.passwords(tx);
        const state = await store.lockPassword(id ?? NOBODY);
        const now = clock.now();
        const usable = state !== null && id !== null && !isLocked(state, now);
        await store.saveLockout(usable ? id : NOBODY, usable ? afterFailure(state, deps.lockout, now) : afterSuccess());
        return usable ? { hash: state.hash } : null;
      });
      const verified = await deps.hasher.verify(attempt?.hash ?? (await dummyHash), password.normalize('NFKC'));
      if (!attempt || !verified || id === null) return false;
      await deps.passwords(uow.read).saveLockout(id, afterSuccess());
      return true;
    },
  };
}
