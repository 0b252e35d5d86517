import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers.js';

/**
 * A signed-in session. The refresh token is stored only as its SHA-256; each refresh rotates it and keeps
 * the previous hash, so a rotated token presented again is recognised as reuse and revokes the session.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, precision: 3 }).notNull(),
    authTime: timestamp('auth_time', { withTimezone: true, precision: 3 }).notNull(),
    acr: text('acr').notNull(),
    amr: text('amr').array().notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    refreshHash: text('refresh_hash').notNull().unique(),
    previousRefreshHash: text('previous_refresh_hash').unique(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
    revokeReason: text('revoke_reason'),
  },
  (t) => [index('sessions_customer_idx').on(t.customerId)],
);
