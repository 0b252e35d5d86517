import { sql } from 'drizzle-orm';
import { jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Keys that sign Kith's tokens. The private half is stored only as a JWE encrypted with a key derived from
 * KITH_KEY_ENCRYPTION_KEY. The active key is the one between its activates_at and its retired_at; a rotation
 * publishes the next key first and retires the current one when the next activates (at most one key has no
 * retired_at). A retired key's public half stays published until expires_at, when no token it signed can
 * still be valid.
 */
export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    alg: text('alg').notNull(),
    publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
    encryptedPrivateJwk: text('encrypted_private_jwk').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    retiredAt: timestamp('retired_at', { withTimezone: true, precision: 3 }),
    /** When a key made by a rotation starts signing (null: from its creation); published from its creation. */
    activatesAt: timestamp('activates_at', { withTimezone: true, precision: 3 }),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [uniqueIndex('signing_keys_one_active').on(sql`(true)`).where(sql`${t.retiredAt} is null`)],
);
