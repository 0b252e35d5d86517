import type { Customer } from '../customers/customer.js';
import type { ChangeEvent } from '../events/change-event.js';
import type { Session } from '../sessions/session.js';

/** How much of each kind of secret or trace erasure removed: what the customer had. */
export interface ErasedRecords {
  /** The customer as it now is: the DELETED tombstone. */
  customer: Customer;
  password: boolean;
  totp: boolean;
  recoveryCodes: number;
  passkeys: number;
  sessions: number;
  /** Whether a SCIM record (userName, externalId, the rest of the SCIM User) was removed. */
  scimRecord: boolean;
}

/** The newest `limit` of a list, oldest first, and how long the whole list is. */
export interface Newest<T> {
  total: number;
  items: T[];
}

/** A session as Kith keeps it, ended ones included: who ended it and why, never the refresh token's hash. */
export interface SessionRecord extends Session {
  revokeReason: string | null;
}

/** A customer's second factors as dates and counts: never the TOTP seed, a code or a code's hash. */
export interface FactorRecords {
  /** The TOTP, pending (confirmedAt null) or on; `lastStep` is the RFC 6238 time step of the last code accepted. */
  totp: { createdAt: Date; confirmedAt: Date | null; lastStep: number | null } | null;
  /** The current set of recovery codes; null when there is none. */
  recoveryCodes: { createdAt: Date; total: number; remaining: number; lastUsedAt: Date | null } | null;
}

/** Persistence of what the customer's GDPR rights need beyond the other stores: the export's reads, erasure. */
export interface PersonalDataStore {
  /** When the customer's password was set and last changed; null without one. Never the hash. */
  passwordOf(customerId: string): Promise<{ createdAt: Date; updatedAt: Date } | null>;
  /** The customer's TOTP and recovery codes, as dates and counts. */
  factorsOf(customerId: string): Promise<FactorRecords>;
  /** The newest `limit` of the customer's sessions, active and ended, by creation. */
  sessionsOf(customerId: string, limit: number): Promise<Newest<SessionRecord>>;
  /** The newest `limit` of the customer's committed change events, in log order (a snapshot, not a cursor: no horizon). */
  eventsOf(customerId: string, limit: number): Promise<Newest<ChangeEvent>>;
  /**
   * Erases the customer's personal data, in the caller's transaction and under its row lock: the profile
   * becomes a DELETED tombstone (email, names, phone, locale, attributes and visitor ids cleared, version
   * bumped), and the password, TOTP, recovery codes, passkeys with their challenges, every session (so
   * every token of the account is refused) and the SCIM record are deleted. When outbound connectors exist,
   * the email is kept apart, only for the deletes of connectors that find contacts by email, until none
   * still needs it (DeliveryStore.erasedEmails). Consents, their history and the change log are left to the
   * caller.
   */
  erase(customerId: string, at: Date): Promise<ErasedRecords>;
}
