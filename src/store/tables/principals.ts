import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { consentPurposes } from './catalog.js';

/**
 * Support agents and administrators. They sign in with a password (argon2id, lockout as for customers),
 * and with a TOTP code once they have one; their tokens are checked against this row on every request, so
 * disabling, a role change or sign-out (token_version) takes effect at once.
 */
export const staffMembers = pgTable(
  'staff_members',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    passwordHash: text('password_hash').notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockouts: integer('lockouts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true, precision: 3 }),
    /** Tokens carry the version they were issued at; sign-out and disabling bump it, ending them all. */
    tokenVersion: integer('token_version').notNull().default(0),
    disabledAt: timestamp('disabled_at', { withTimezone: true, precision: 3 }),
    /** The TOTP seed, sealed (a JWE under a key derived from KITH_KEY_ENCRYPTION_KEY); null without a TOTP. */
    totpSealedSecret: text('totp_sealed_secret'),
    /** Null while the TOTP waits for its first code. */
    totpConfirmedAt: timestamp('totp_confirmed_at', { withTimezone: true, precision: 3 }),
    /** The time step of the last accepted code: it and every earlier step are refused (no replay). */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    totpFailedAttempts: integer('totp_failed_attempts').notNull().default(0),
    totpLockouts: integer('totp_lockouts').notNull().default(0),
    totpLockedUntil: timestamp('totp_locked_until', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [uniqueIndex('staff_members_email_key').on(sql`lower(${t.email})`), check('staff_members_role_check', sql`${t.role} in ('AGENT', 'ADMIN')`)],
);

/**
 * Machine clients (marketing tools, partners, provisioning) using the OAuth 2.0 client-credentials grant.
 * The secret is 256 random bits, so its SHA-256 is a safe one-way form (no password stretching needed).
 */
export const serviceClients = pgTable(
  'service_clients',
  {
    id: uuid('id').primaryKey(),
    clientId: text('client_id').notNull().unique(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    /** Personal fields leave only for customers who granted this purpose. */
    purposeKey: text('purpose_key').references(() => consentPurposes.key),
    /** Tokens carry the version they were issued at; rotating the secret, disabling or narrowing bumps it. */
    tokenVersion: integer('token_version').notNull().default(0),
    disabledAt: timestamp('disabled_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('service_clients_purpose_idx').on(t.purposeKey)],
);
