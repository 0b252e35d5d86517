import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers.js';

/**
 * What SCIM provisioning keeps of a customer beyond the customer's own columns: the client's externalId and
 * the rest of the SCIM User (displayName, other name parts, secondary emails and phones, ims, photos,
 * addresses, the enterprise extension) as canonical JSON. One row per SCIM-written customer.
 */
export const scimUsers = pgTable(
  'scim_users',
  {
    customerId: uuid('customer_id')
      .primaryKey()
      .references(() => customers.id, { onDelete: 'cascade' }),
    externalId: text('external_id'),
    document: jsonb('document').$type<Record<string, unknown>>().notNull().default({}),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('scim_users_external_id_idx').on(t.externalId)],
);

export type ScimUserRow = typeof scimUsers.$inferSelect;
