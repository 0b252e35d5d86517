import type { LockoutState } from '../sessions/lockout.js';

/** A customer's TOTP as stored: the seed only sealed, and the state that stops replays and guessing. */
export interface StoredTotp extends LockoutState {
  sealedSecret: string;
  /** False while the enrolment waits for its first code. */
  confirmed: boolean;
  /** The time step of the last code accepted: no code of that step or an earlier one is accepted again. */
  lastStep: number | null;
}

/** Persistence of second factors. Seeds are sealed and recovery codes hashed; nothing here reaches GraphQL. */
export interface FactorStore {
  /** Whether the customer has a confirmed TOTP, and how many unused recovery codes. */
  summary(customerId: string): Promise<{ totpConfirmed: boolean; recoveryCodesRemaining: number }>;
  /** The customer's TOTP, pending or confirmed, locked until the transaction ends; null when none. */
  lockTotp(customerId: string): Promise<StoredTotp | null>;
  /** Stores a pending TOTP, replacing a pending one; false (and nothing written) when a confirmed one exists. */
  savePendingTotp(customerId: string, sealedSecret: string, at: Date): Promise<boolean>;
  /** Records the outcome of a verification: the step accepted (if any), confirmation, the lockout state. */
  saveTotpState(customerId: string, state: Pick<StoredTotp, 'confirmed' | 'lastStep'> & LockoutState, at: Date): Promise<void>;
  /** Deletes the customer's TOTP and every recovery code; false when there was no TOTP. */
  deleteTotp(customerId: string): Promise<boolean>;
  /** Replaces every recovery code of the customer with these hashes. */
  replaceRecoveryCodes(customerId: string, hashes: readonly string[], at: Date): Promise<void>;
  /** Marks the unused code with this hash used, in one statement; false when there is none (used or wrong). */
  useRecoveryCode(customerId: string, hash: string, at: Date): Promise<boolean>;
}
