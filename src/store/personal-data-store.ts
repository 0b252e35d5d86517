import { and, count, desc, eq, isNotNull, isNull, max, min, sql } from 'drizzle-orm';
import type { ChangeEventType } from '../domain/events/change-event.js';
import type { PersonalDataStore } from '../domain/privacy/personal-data-store.js';
import { toCustomer } from './customer-store.js';
import type { Db } from './database.js';
import type { PrincipalWritten } from './principal-changes.js';
import { sessionColumns } from './session-store.js';
import {
  connectors,
  credentials,
  customers,
  deliveries,
  erasureNotices,
  events,
  passkeys,
  passwordRecoveryCodes,
  recoveryCodes,
  scimUsers,
  sessions,
  totpFactors,
  webauthnChallenges,
} from './tables/index.js';

/** A session's columns for the export: the domain's, and why it ended. */
const sessionRecordColumns = { ...sessionColumns, revokeReason: sessions.revokeReason };

/** The tables that hold a customer's secrets and traces, one or more rows each, keyed by customer_id. */
type OwnedTable =
  | typeof credentials
  | typeof passwordRecoveryCodes
  | typeof totpFactors
  | typeof recoveryCodes
  | typeof passkeys
  | typeof webauthnChallenges
  | typeof sessions
  | typeof scimUsers;

/** `announced` runs after erasure, which ends the customer's sessions (see src/store/principal-changes.ts). */
export function createPersonalDataStore(db: Db, announced: PrincipalWritten = () => {}): PersonalDataStore {
  /** Deletes the customer's rows of a table; returns how many there were. */
  async function removeAll(table: OwnedTable, customerId: string): Promise<number> {
    const rows = await db.delete(table).where(eq(table.customerId, customerId)).returning({ one: sql`1` });
    return rows.length;
  }

  return {
    async passwordOf(customerId) {
      const [row] = await db
        .select({ createdAt: credentials.createdAt, updatedAt: credentials.updatedAt })
        .from(credentials)
        .where(and(eq(credentials.customerId, customerId), eq(credentials.kind, 'password')));
      return row ?? null;
    },

    async factorsOf(customerId) {
      const [[totp], [codes]] = await Promise.all([
        db
          .select({ createdAt: totpFactors.createdAt, confirmedAt: totpFactors.confirmedAt, lastStep: totpFactors.lastStep })
          .from(totpFactors)
          .where(eq(totpFactors.customerId, customerId)),
        db
          .select({
            createdAt: min(recoveryCodes.createdAt),
            total: count(),
            remaining: sql<number>`(count(*) filter (where ${isNull(recoveryCodes.usedAt)}))::int`,
            lastUsedAt: max(recoveryCodes.usedAt),
          })
          .from(recoveryCodes)
          .where(eq(recoveryCodes.customerId, customerId)),
      ]);
      const recovery = codes?.createdAt ? { createdAt: codes.createdAt, total: codes.total, remaining: Number(codes.remaining), lastUsedAt: codes.lastUsedAt } : null;
      return { totp: totp ?? null, recoveryCodes: recovery };
    },

    async sessionsOf(customerId, limit) {
      const [rows, [counted]] = await Promise.all([
        db.select(sessionRecordColumns).from(sessions).where(eq(sessions.customerId, customerId)).orderBy(desc(sessions.createdAt), desc(sessions.id)).limit(limit),
        db.select({ total: count() }).from(sessions).where(eq(sessions.customerId, customerId)),
      ]);
      return { total: counted?.total ?? 0, items: rows.reverse() };
    },

    async eventsOf(customerId, limit) {
      const [rows, [counted]] = await Promise.all([
        db.select().from(events).where(eq(events.customerId, customerId)).orderBy(desc(events.txId), desc(events.id)).limit(limit),
        db.select({ total: count() }).from(events).where(eq(events.customerId, customerId)),
      ]);
      const items = rows.reverse().map((row) => ({ ...row, txId: String(row.txId), type: row.type as ChangeEventType }));
      return { total: counted?.total ?? 0, items };
    },

    async erase(customerId, at) {
      const password = (await removeAll(credentials, customerId)) > 0;
      // Codes mailed for password recovery: unusable once the status is DELETED, removed all the same.
      await removeAll(passwordRecoveryCodes, customerId);
      const totp = (await removeAll(totpFactors, customerId)) > 0;
      const codes = await removeAll(recoveryCodes, customerId);
      // Challenges first: they belong to sessions as well as to the customer.
      await removeAll(webauthnChallenges, customerId);
      const keys = await removeAll(passkeys, customerId);
      const ended = await removeAll(sessions, customerId);
      const scimRecord = (await removeAll(scimUsers, customerId)) > 0;
      // A target's error text about this customer's deliveries may quote what it was sent (the email, names).
      await db.update(deliveries).set({ lastError: null }).where(and(eq(deliveries.customerId, customerId), isNotNull(deliveries.lastError)));
      // The address goes to an erasure notice while a connector may need it to delete the contact.
      await db.execute(sql`insert into ${erasureNotices} (customer_id, email, erased_at)
        select ${customers.id}, ${customers.email}, ${at.toISOString()}::timestamptz from ${customers}
        where ${customers.id} = ${customerId} and ${customers.email} is not null and exists (select 1 from ${connectors})
        on conflict (customer_id) do update set email = excluded.email, tx_id = pg_current_xact_id(), erased_at = excluded.erased_at`);
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
