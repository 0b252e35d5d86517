import type { Session } from './session.js';

/** Persistence of sessions. Refresh tokens are only ever stored, compared and kept as hashes. */
export interface SessionStore {
  /**
   * Records a session opened by a right password and clears that password's lockout, in one statement
   * (the attempt was counted as a failure before the password was checked). False, with nothing written,
   * when the customer is no longer REGISTERED or their password no longer `passwordHash`, the hash it was
   * checked against (erased, disabled or changed meanwhile: it waits for such a change to commit).
   */
  createAfterPassword(session: Session, refreshHash: string, passwordHash: string): Promise<boolean>;
  /** The session, if it is not revoked and its customer is REGISTERED; null otherwise. */
  findActive(id: string): Promise<Session | null>;
  /** The session with its current refresh hash and its customer's status, locked until the transaction ends. */
  lockForRefresh(id: string): Promise<{ session: Session; refreshHash: string; previousRefreshHash: string | null; customerStatus: string } | null>;
  /** Replaces the current refresh hash; the replaced one becomes the previous hash. */
  rotate(id: string, currentHash: string, nextHash: string, at: Date): Promise<void>;
  /**
   * Revokes the session if it is active (and, with `ownedBy`, belongs to that customer), in one statement;
   * returns its customer's id, or null when nothing was revoked.
   */
  revoke(id: string, reason: string, at: Date, ownedBy?: string): Promise<string | null>;
  /** Records a fresh proof in an active session; returns the session as it now is, or null if it is not active. */
  elevate(id: string, proof: { authTime: Date; acr: string; amr: string[] }): Promise<Session | null>;
  /** Active sessions of these customers, newest first. */
  listActive(customerIds: readonly string[]): Promise<Session[]>;
  /**
   * Revokes the customer's sessions not yet revoked, all but `keepId` when given; returns those it revoked,
   * some of which may have passed their lifetime already (the store does not know the lifetimes).
   */
  revokeAllOf(customerId: string, reason: string, at: Date, keepId?: string): Promise<Session[]>;
}
