import { asc, eq, type SQL, sql } from 'drizzle-orm';
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

/**
 * The two statements that record consent changes (the current state, then the history), each writing its
 * rows only when `guard` holds. Each takes its rows as arrays, so its text is the same for any number of
 * rows: built cheaply, and prepared once per connection.
 */
export function consentWrites(changes: readonly ConsentRecord[], guard: SQL = sql`true`): [SQL, SQL] {
  const column = <T>(pick: (change: ConsentRecord) => T) => sql.param(changes.map(pick));
  const rows = sql`unnest(
    ${column((c) => c.customerId)}::uuid[], ${column((c) => c.purposeKey)}::text[], ${column((c) => c.purposeVersion)}::int[],
    ${column((c) => c.status)}::text[], ${column((c) => c.source)}::text[], ${column((c) => c.actor)}::text[],
    ${column((c) => c.recordedAt.toISOString())}::text[]::timestamptz[]
  ) with ordinality as t(customer_id, purpose_key, purpose_version, status, source, actor, at, n)`;
  return [
    sql`insert into consents (customer_id, purpose_key, purpose_version, status, source, granted_at, withdrawn_at, updated_at)
      select customer_id, purpose_key, purpose_version, status, source,
        case when status = 'GRANTED' then at end, case when status = 'GRANTED' then null else at end, at
      from ${rows} where ${guard} order by n
      on conflict (customer_id, purpose_key) do update set
        purpose_version = excluded.purpose_version, status = excluded.status, source = excluded.source,
        -- A withdrawal keeps the time of the grant it withdraws; a grant clears the withdrawal.
        granted_at = coalesce(excluded.granted_at, consents.granted_at), withdrawn_at = excluded.withdrawn_at,
        updated_at = excluded.updated_at`,
    sql`insert into consent_records (customer_id, purpose_key, purpose_version, status, source, actor, recorded_at)
      select customer_id, purpose_key, purpose_version, status, source, actor, at from ${rows} where ${guard} order by n`,
  ];
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
      await Promise.all(consentWrites(changes).map((statement) => db.execute(statement)));
    },
  };
}
