import { index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers.js';

/**
 * Secrets a customer proves identity with, one row per kind (password now; factors later).
 * Never selected by anything that feeds GraphQL: only the credential store reads it.
 */
export const credentials = pgTable(
  'credentials',
  {
    id: uuid('id').primaryKey(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [unique('credentials_customer_kind_key').on(t.customerId, t.kind), index('credentials_customer_idx').on(t.customerId)],
);
