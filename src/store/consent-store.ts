import { asc, eq, sql } from 'drizzle-orm';
import type { Consent, ConsentRecord, ConsentSource, ConsentStatus } from '../domain/consents/consent.js';
import type { ConsentStore } from '../domain/consents/consent-store.js';
import { prepareByIds } from './by-ids.js';
import type { Db } from './database.js';
import { consentPurposes, consentRecords, consents } from './tables/index.js';

type CurrentRow = { consent: typeof consents.$inferSelect; purpose: typeof consentPurposes.$inferSelect };

function toConsent({ consent, purpose }: CurrentRow): Consent {
  return {
    customerId: consent.customerId,
    purpose,
    purposeVersion: consent.purposeVersion,
    status: consent.status as ConsentStatus,
    source: consent.source as ConsentSource,
    grantedAt: consent.grantedAt,
    withdrawnAt: consent.withdrawnAt,
    updatedAt: consent.updatedAt,
  };
}

function toRecord(row: typeof consentRecords.$inferSelect): ConsentRecord {
  return { ...row, status: row.status as ConsentStatus, source: row.source as ConsentSource };
}

const currentColumns = { consent: consents, purpose: consentPurposes };

/** Statements prepared once per database for the hot read paths (one statement per batch of customers). */
export function prepareConsentReads(db: Db) {
  return {
    current: prepareByIds(consents.customerId, 'kith_consents_current', (where, name) =>
      db
        .select(currentColumns)
        .from(consents)
        .innerJoin(consentPurposes, eq(consentPurposes.key, consents.purposeKey))
        .where(where)
        .orderBy(asc(consents.purposeKey))
        .prepare(name),
    ),
    history: prepareByIds(consentRecords.customerId, 'kith_consents_history', (where, name) =>
      db.select().from(consentRecords).where(where).orderBy(asc(consentRecords.id)).prepare(name),
    ),
  };
}

export function createConsentStore(db: Db, prepared?: ReturnType<typeof prepareConsentReads>): ConsentStore {
  // Inside a transaction the statements are built on first use only.
  let prepared_ = prepared;
  const reads = () => (prepared_ ??= prepareConsentReads(db));
  return {
    async findCurrent(customerIds) {
      if (customerIds.length === 0) return [];
      return (await reads().current(customerIds)).map(toConsent);
    },

    async findHistory(customerIds) {
      if (customerIds.length === 0) return [];
      return (await reads().history(customerIds)).map(toRecord);
    },

    async recordMany(changes) {
      if (changes.length === 0) return;
      // Both statements at once: in a transaction the driver sends them together (one round trip), and the
      // database still runs them in order.
      const current = db
        .insert(consents)
        .values(
          changes.map((change) => {
            const granted = change.status === 'GRANTED';
            return {
              customerId: change.customerId,
              purposeKey: change.purposeKey,
              purposeVersion: change.purposeVersion,
              status: change.status,
              source: change.source,
              grantedAt: granted ? change.recordedAt : null,
              withdrawnAt: granted ? null : change.recordedAt,
              updatedAt: change.recordedAt,
            };
          }),
        )
        .onConflictDoUpdate({
          target: [consents.customerId, consents.purposeKey],
          set: {
            purposeVersion: sql`excluded.purpose_version`,
            status: sql`excluded.status`,
            source: sql`excluded.source`,
            // A withdrawal keeps the time of the grant it withdraws; a grant clears the withdrawal.
            grantedAt: sql`coalesce(excluded.granted_at, ${consents.grantedAt})`,
            withdrawnAt: sql`excluded.withdrawn_at`,
            updatedAt: sql`excluded.updated_at`,
          },
        });
      await Promise.all([current.execute(), db.insert(consentRecords).values([...changes]).execute()]);
    },
  };
}
