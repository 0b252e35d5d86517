import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * One row per customer, from anonymous capture to deletion. Credentials live apart in `credentials`. A DELETED
 * row is a tombstone: its personal data is erased (email null), which frees the address for a new account.
 */
export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey(),
    status: text('status').notNull(),
    /** Null only once the customer is DELETED (erased); unique among the others, whatever its case. */
    email: text('email'),
    emailVerified: boolean('email_verified').notNull().default(false),
    phoneNumber: text('phone_number'),
    phoneNumberVerified: boolean('phone_number_verified').notNull().default(false),
    givenName: text('given_name'),
    familyName: text('family_name'),
    locale: text('locale'),
    /** Catalog attributes that have no column of their own, keyed by attribute name. */
    attributes: jsonb('attributes').$type<Record<string, string | number | boolean>>().notNull().default({}),
    /** Web-analytics ids of the anonymous visits this customer was linked to. */
    anonymousIds: text('anonymous_ids').array().notNull().default(sql`'{}'::text[]`),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
    /** Optimistic concurrency: every write increments it. */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('customers_email_lower_key').on(sql`lower(${t.email})`),
    index('customers_created_id_idx').on(t.createdAt, t.id),
    index('customers_updated_idx').on(t.updatedAt),
    index('customers_status_idx').on(t.status),
    index('customers_attributes_gin').using('gin', t.attributes),
    index('customers_anonymous_ids_gin').using('gin', t.anonymousIds),
    check('customers_status_check', sql`${t.status} in ('LIGHT', 'REGISTERED', 'DISABLED', 'DELETED')`),
    check('customers_email_check', sql`${t.email} is not null or ${t.status} = 'DELETED'`),
  ],
);

export type CustomerRow = typeof customers.$inferSelect;
export type NewCustomerRow = typeof customers.$inferInsert;

