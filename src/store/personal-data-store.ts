import { eq, sql } from 'drizzle-orm';
import type { PersonalDataStore } from '../domain/privacy/personal-data-store.js';
import { toCustomer } from './customer-store.js';
import type { Db } from './database.js';
import type { PrincipalWritten } from './principal-changes.js';
import { credentials, customers, passkeys, recoveryCodes, scimUsers, sessions, totpFactors, webauthnChallenges } from './tables/index.js';

/** The tables that hold a customer's secrets and traces, one or more rows each, keyed by customer_id. */
type OwnedTable = typeof credentials | typeof totpFactors | typeof recoveryCodes | typeof passkeys | typeof webauthnChallenges | typeof sessions | typeof scimUsers;

/** `announced` runs after erasure, which ends the customer's sessions (see src/store/principal-changes.ts). */
export function createPersonalDataStore(db: Db, announced: PrincipalWritten = () => {}): PersonalDataStore {
  /** Deletes the customer's rows of a table; returns how many there were. */
  async function removeAll(table: OwnedTable, customerId: string): Promise<number> {
    const rows = await db.delete(table).where(eq(table.customerId, customerId)).returning({ one: sql`1` });
    return rows.length;
  }

  return {
    async erase(customerId, at) {
      const password = (await removeAll(credentials, customerId)) > 0;
      const totp = (await removeAll(totpFactors, customerId)) > 0;
      const codes = await removeAll(recoveryCodes, customerId);
      // Challenges first: they belong to sessions as well as to the customer.
      await removeAll(webauthnChallenges, customerId);
      const keys = await removeAll(passkeys, customerId);
      const ended = await removeAll(sessions, customerId);
      const scimRecord = (await removeAll(scimUsers, customerId)) > 0;
      const [row] = await db
        .update(customers)
        .set({
          status: 'DELETED',
          email: null,
          emailVerified: false,
          phoneNumber: null,
          phoneNumberVerified: false,
          givenName: null,
          familyName: null,
          locale: null,
          attributes: {},
          anonymousIds: [],
          updatedAt: at,
          version: sql`${customers.version} + 1`,
        })
        .where(eq(customers.id, customerId))
        .returning();
      if (!row) throw new Error(`erase: no customer ${customerId} (the caller holds its row lock)`);
      await announced();
      return { customer: toCustomer(row), password, totp, recoveryCodes: codes, passkeys: keys, sessions: ended, scimRecord };
    },
  };
}
