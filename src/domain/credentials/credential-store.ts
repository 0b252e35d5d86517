import type { LockoutPolicy, LockoutState } from '../sessions/lockout.js';
import type { LockablePasswords } from './password-attempts.js';

/** Persistence of credential secrets. Only hashes are stored; nothing here ever reaches GraphQL. */
export interface CredentialStore extends LockablePasswords {
  /**
   * countFailure for the password of the REGISTERED customer with this email (case-insensitive), found in
   * the same statement: their id and hash when the attempt was counted; null when there is no such
   * customer or password, or it is locked.
   */
  countSignInFailure(email: string, policy: LockoutPolicy, now: Date): Promise<{ customerId: string; hash: string } | null>;
  /** Creates or replaces the customer's password hash. */
  setPassword(customerId: string, passwordHash: string, at: Date): Promise<void>;
  /** The customer's password hash, or null when they have none. */
  findPasswordHash(customerId: string): Promise<string | null>;
  /** The password hash with its lockout state, locked until the transaction ends; null without a password. */
  lockPassword(customerId: string): Promise<({ hash: string } & LockoutState) | null>;
  /**
   * Records a recovery code for the REGISTERED customer with a password and this email (case-insensitive),
   * in one statement whether or not there is one; that customer's id and email as stored, or null. The
   * account's used and expired codes are deleted in the same statement.
   */
  createRecoveryCode(email: string, code: { id: string; codeHash: string; expiresAt: Date; createdAt: Date }): Promise<{ customerId: string; email: string } | null>;
  /**
   * The REGISTERED customer a recovery code neither used nor expired at `at` belongs to, while the account
   * still has the address it was mailed to and has not changed its password since; null otherwise. With
   * `lock`, the code's row stays locked until the transaction ends.
   */
  findRecoveryCode(codeHash: string, at: Date, lock?: boolean): Promise<{ customerId: string; email: string } | null>;
  /** Marks every unused recovery code of the customer used. */
  useRecoveryCodes(customerId: string, at: Date): Promise<void>;
}

/**
 * Password hashing, run off the event loop, with a bound on the hashes waiting their turn: past it, hash()
 * refuses at once with RATE_LIMITED (passwordsBusy) rather than queue more.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Never refused: an attempt to verify is counted against its lockout first, so its caller asks busy()
   * before it counts (password-attempts.ts), and an attempt counted is always checked.
   */
  verify(hash: string, password: string): Promise<boolean>;
  /** Whether as many hashes wait as the bound allows. */
  busy(): boolean;
  /**
   * The hash of a random secret, made as the hasher is (before any request can fill its queue): an attempt
   * with nothing to check against is verified against it, so it costs the same work.
   */
  dummyHash(): Promise<string>;
}
