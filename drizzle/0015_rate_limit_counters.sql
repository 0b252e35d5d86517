-- The sign-in and token-endpoint rate limits move from RateLimiterDrizzle (rate_limits) to
-- rate-limiter-flexible's RateLimiterPostgres: its columns, in its order, with expire in epoch milliseconds,
-- in a table of their own so that processes of the previous version keep using rate_limits during a rolling
-- deploy (the next release drops it). UNLOGGED: the counts live for a minute and need no WAL flush per
-- attempt; a crash or a failover to a standby starts them again.
CREATE UNLOGGED TABLE "rate_limit_counters" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
