import { index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
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
    /** Failed verifications in a row since the last success. */
    failedAttempts: integer('failed_attempts').notNull().default(0),
    /** Locks so far without a success in between; each lock lasts twice the one before. */
    lockouts: integer('lockouts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  // The unique key's lead column serves lookups by customer too, so there is no separate index on it.
  (t) => [unique('credentials_customer_kind_key').on(t.customerId, t.kind)],
);

/**
 * Password recovery: a code mailed to a registered customer, stored only as its SHA-256 (the code is 256
 * random bits), good once until it expires, and only while the account still has the address it was sent
 * to and the password it had then. Setting a password or disabling the account marks every code used.
 */
export const passwordRecoveryCodes = pgTable(
  'password_recovery_codes',
  {
    id: uuid('id').primaryKey(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull().unique(),
    /** The address the code was mailed to: a code is good only while the account still has it. */
    sentTo: text('sent_to').notNull(),
    /** When the account's password was set, as the code was made: a code is good only while it is unchanged. */
    passwordSetAt: timestamp('password_set_at', { withTimezone: true, precision: 3 }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('password_recovery_codes_customer_idx').on(t.customerId)],
);
