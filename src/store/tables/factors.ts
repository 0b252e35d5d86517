import { bigint, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers.js';

/**
 * A customer's TOTP: at most one, pending until its first code confirms it. The seed cannot be hashed (it
 * is needed to compute codes), so it is kept sealed: a JWE under a key derived from KITH_KEY_ENCRYPTION_KEY.
 */
export const totpFactors = pgTable('totp_factors', {
  customerId: uuid('customer_id')
    .primaryKey()
    .references(() => customers.id, { onDelete: 'cascade' }),
  sealedSecret: text('sealed_secret').notNull(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true, precision: 3 }),
  /** The time step of the last accepted code: it and every earlier step are refused (no replay). */
  lastStep: bigint('last_step', { mode: 'number' }),
  /** Wrong codes in a row since the last right one. */
  failedAttempts: integer('failed_attempts').notNull().default(0),
  /** Locks so far without a success in between; each lock lasts twice the one before. */
  lockouts: integer('lockouts').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true, precision: 3 }),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
});

/** One-time recovery codes, stored only as SHA-256 hashes; a used one keeps its row, with `used_at` set. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  // Leads with customer_id, so it also serves every per-customer read.
  (t) => [unique('recovery_codes_customer_hash_key').on(t.customerId, t.codeHash)],
);
