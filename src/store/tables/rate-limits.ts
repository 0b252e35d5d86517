import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Counters of rate-limiter-flexible's RateLimiterDrizzle, shared by every Kith process. UNLOGGED
 * (drizzle/0015_rate_limits_unlogged.sql): a crash or a failover starts the counts again.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull(),
  expire: timestamp('expire', { withTimezone: true, precision: 3 }),
});
