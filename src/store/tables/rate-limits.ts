import { bigint, integer, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Counters of rate-limiter-flexible's RateLimiterPostgres (src/store/attempt-limiter.ts), shared by every
 * Kith process: the columns are the ones it reads and writes, in its order (it inserts without naming
 * them); `expire` is in epoch milliseconds. UNLOGGED (drizzle/0015_rate_limits_postgres.sql): the counts
 * need no WAL, and a crash or a failover starts them again.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
});
