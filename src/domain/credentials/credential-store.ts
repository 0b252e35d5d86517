import type { LockoutState } from '../sessions/lockout.js';

/** Persistence of credential secrets. Only hashes are stored; nothing here ever reaches GraphQL. */
export interface CredentialStore {
  /** Creates or replaces the customer's password hash. */
  setPassword(customerId: string, passwordHash: string, at: Date): Promise<void>;
  /** The customer's password hash, or null when they have none. */
  findPasswordHash(customerId: string): Promise<string | null>;
  /** The password hash with its lockout state, locked until the transaction ends; null without a password. */
  lockPassword(customerId: string): Promise<({ hash: string } & LockoutState) | null>;
  /** Stores the lockout state of the customer's password. */
  saveLockout(customerId: string, state: LockoutState): Promise<void>;
}

/** Password hashing, run off the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}
