import type { LockablePasswords } from '../credentials/password-attempts.js';
import type { StoredTotp } from '../factors/factor-store.js';
import type { TotpState } from '../factors/totp-attempt.js';

/** Support agents read profiles and help customers; administrators also manage clients, catalogs and staff. */
export type StaffRole = 'AGENT' | 'ADMIN';
export const staffRoles: readonly StaffRole[] = ['AGENT', 'ADMIN'];

/** A support agent or administrator, as the graph and the per-request check see them (no password). */
export interface StaffMember {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  /** Tokens issued at another version are refused: sign-out and disabling bump it. */
  tokenVersion: number;
  disabledAt: Date | null;
  /** Whether they have a confirmed TOTP, which every sign-in of theirs then needs. */
  totpEnabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Persistence of staff members. Password hashes stay in the store and the sign-in path. */
export interface StaffStore extends LockablePasswords {
  /** False when a member already has this email (case-insensitive). */
  insert(member: StaffMember, passwordHash: string): Promise<boolean>;
  findById(id: string): Promise<StaffMember | null>;
  findByEmail(email: string): Promise<StaffMember | null>;
  list(): Promise<StaffMember[]>;
  /** Active administrators other than `exceptId`. */
  countActiveAdmins(exceptId?: string): Promise<number>;
  /** Applies the changes; returns the member as it now is, or null when there is none. */
  update(id: string, changes: Partial<Pick<StaffMember, 'role' | 'disabledAt' | 'name'>> & { bumpTokenVersion?: boolean }, at: Date): Promise<StaffMember | null>;
  /** Replaces the password hash, clears the lockout and bumps the token version (ending every token). */
  setPassword(id: string, passwordHash: string, at: Date): Promise<StaffMember | null>;
  /** Serialises changes to the staff list (the last-administrator rule) within the transaction. */
  lockAll(): Promise<void>;
  /** The member's TOTP, pending or confirmed, their row locked until the transaction ends; null when none. */
  lockTotp(id: string): Promise<StoredTotp | null>;
  /** Stores a pending TOTP, replacing a pending one; false (and nothing written) when a confirmed one exists. */
  savePendingTotp(id: string, sealedSecret: string, at: Date): Promise<boolean>;
  /** Records a code's outcome: the step accepted, confirmation, the lockout state. */
  saveTotpState(id: string, state: TotpState, at: Date): Promise<void>;
  /** Removes the TOTP, pending or confirmed, and bumps the token version; null when the member had none. */
  removeTotp(id: string, at: Date): Promise<StaffMember | null>;
}

/** Signs staff access tokens (jose, in auth/). */
export interface StaffTokenIssuer {
  /** `mfa`: the sign-in included a TOTP code (acr `mfa`, amr `pwd` and `otp`); otherwise acr and amr `pwd`. */
  issue(claims: { staffId: string; role: StaffRole; tokenVersion: number; authTime: Date; mfa: boolean }): Promise<{ token: string; expiresIn: number }>;
}
