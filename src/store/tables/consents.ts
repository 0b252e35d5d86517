import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { consentPurposes } from './catalog.js';
import { customers } from './customers.js';

const consentStatusCheck = (column: unknown) => sql`${column} in ('GRANTED', 'WITHDRAWN')`;

/** The current consent of each customer to each purpose: one row per pair, rewritten on every change. */
export const consents = pgTable(
  'consents',
  {
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    purposeKey: text('purpose_key')
      .notNull()
      .references(() => consentPurposes.key),
    purposeVersion: integer('purpose_version').notNull(),
    status: text('status').notNull(),
    source: text('source').notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true, precision: 3 }),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true, precision: 3 }),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.purposeKey] }),
    index('consents_purpose_status_idx').on(t.purposeKey, t.status),
    check('consents_status_check', consentStatusCheck(t.status)),
  ],
);

/** Append-only history: every grant and every withdrawal adds a record; none is ever updated or erased. */
export const consentRecords = pgTable(
  'consent_records',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    purposeKey: text('purpose_key')
      .notNull()
      .references(() => consentPurposes.key),
    purposeVersion: integer('purpose_version').notNull(),
    status: text('status').notNull(),
    source: text('source').notNull(),
    actor: text('actor').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    index('consent_records_customer_idx').on(t.customerId, t.id),
    check('consent_records_status_check', consentStatusCheck(t.status)),
  ],
);
