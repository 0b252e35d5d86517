import type { Customer } from '../customers/customer.js';

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

/** Persistence of what GDPR rights need beyond the other stores: erasure now, the export's reads later. */
export interface PersonalDataStore {
  /**
   * Erases the customer's personal data, in the caller's transaction and under its row lock: the profile
   * becomes a DELETED tombstone (email, names, phone, locale, attributes and visitor ids cleared, version
   * bumped), and the password, TOTP, recovery codes, passkeys with their challenges, every session (so
   * every token of the account is refused) and the SCIM record are deleted. Consents, their history and
   * the change log are left to the caller.
   */
  erase(customerId: string, at: Date): Promise<ErasedRecords>;
}
