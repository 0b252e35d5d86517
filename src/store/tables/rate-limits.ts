import { bigint, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Counters of rate-limiter-flexible's RateLimiterPostgres (src/store/attempt-limiter.ts), shared by every
 * Kith process: the columns are the ones it reads and writes, in its order (it inserts without naming
 * them); `expire` is in epoch milliseconds and `key` an HMAC of the limited email or address. UNLOGGED
 * (drizzle/0015_rate_limit_counters.sql): the counts need no WAL, and a crash or a failover starts them again.
 */
export const rateLimitCounters = pgTable('rate_limit_counters', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
});

/**
 * The previous version's counters (RateLimiterDrizzle, keys in clear). Unused, and kept only so that
 * processes of that version keep working during a rolling deploy; the next release drops it.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull(),
  expire: timestamp('expire', { withTimezone: true, precision: 3 }),
});
