import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers.js';

/**
 * What SCIM provisioning keeps of a customer beyond the customer's own columns: the userName (unique among
 * SCIM users whatever its case, RFC 7643 section 4.1.1), the client's externalId and the rest of the SCIM User (displayName, other name parts, secondary emails and phones, ims, photos,
 * addresses, the enterprise extension) as canonical JSON. One row per SCIM-written customer.
 */
export const scimUsers = pgTable(
  'scim_users',
  {
    customerId: uuid('customer_id')
      .primaryKey()
      .references(() => customers.id, { onDelete: 'cascade' }),
    userName: text('user_name').notNull(),
    externalId: text('external_id'),
    document: jsonb('document').$type<Record<string, unknown>>().notNull().default({}),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    index('scim_users_external_id_idx').on(t.externalId),
    uniqueIndex('scim_users_user_name_idx').on(sql`lower(${t.userName})`),
  ],
);

export type ScimUserRow = typeof scimUsers.$inferSelect;
