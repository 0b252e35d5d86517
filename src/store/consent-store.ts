import { and, asc, eq, sql } from 'drizzle-orm';
import type { Consent, ConsentRecord, ConsentSource, ConsentStatus } from '../domain/consents/consent.js';
import type { ConsentStore } from '../domain/consents/consent-store.js';
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
    current: db
      .select(currentColumns)
      .from(consents)
      .innerJoin(consentPurposes, eq(consentPurposes.key, consents.purposeKey))
      .where(sql`${consents.customerId} = any(${sql.placeholder('ids')}::uuid[])`)
      .orderBy(asc(consents.purposeKey))
      .prepare('kith_consents_current'),
    history: db
      .select()
      .from(consentRecords)
      .where(sql`${consentRecords.customerId} = any(${sql.placeholder('ids')}::uuid[])`)
      .orderBy(asc(consentRecords.id))
      .prepare('kith_consents_history'),
  };
}

export function createConsentStore(db: Db, prepared?: ReturnType<typeof prepareConsentReads>): ConsentStore {
  // Inside a transaction the statements are built on first use only.
  let prepared_ = prepared;
  const reads = () => (prepared_ ??= prepareConsentReads(db));
  return {
    async findCurrent(customerIds) {
      if (customerIds.length === 0) return [];
      return (await reads().current.execute({ ids: [...customerIds] })).map(toConsent);
    },

    async findHistory(customerIds) {
      if (customerIds.length === 0) return [];
      return (await reads().history.execute({ ids: [...customerIds] })).map(toRecord);
    },

    async lockCurrent(customerId, purposeKey) {
      const [row] = await db
        .select(currentColumns)
        .from(consents)
        .innerJoin(consentPurposes, eq(consentPurposes.key, consents.purposeKey))
        .where(and(eq(consents.customerId, customerId), eq(consents.purposeKey, purposeKey)))
        .for('update', { of: consents });
      return row ? toConsent(row) : null;
    },

    async record(change) {
      const granted = change.status === 'GRANTED';
      await db
        .insert(consents)
        .values({
          customerId: change.customerId,
          purposeKey: change.purposeKey,
          purposeVersion: change.purposeVersion,
          status: change.status,
          source: change.source,
          grantedAt: granted ? change.at : null,
          withdrawnAt: granted ? null : change.at,
          updatedAt: change.at,
        })
        .onConflictDoUpdate({
          target: [consents.customerId, consents.purposeKey],
          set: {
            purposeVersion: change.purposeVersion,
            status: change.status,
            source: change.source,
            // A withdrawal keeps the time of the grant it withdraws; a grant clears the withdrawal.
            grantedAt: granted ? change.at : sql`${consents.grantedAt}`,
            withdrawnAt: granted ? null : change.at,
            updatedAt: change.at,
          },
        });
      await db.insert(consentRecords).values({
        customerId: change.customerId,
        purposeKey: change.purposeKey,
        purposeVersion: change.purposeVersion,
        status: change.status,
        source: change.source,
        actor: change.actor,
        recordedAt: change.at,
      });
    },
  };
}
