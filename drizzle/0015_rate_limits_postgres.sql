-- The sign-in and token-endpoint rate limits move from RateLimiterDrizzle to rate-limiter-flexible's
-- RateLimiterPostgres (a fixed statement the pool prepares, instead of one drizzle builds per attempt): its
-- columns, in its order, with expire in epoch milliseconds. The counts live for a minute, so they are not
-- carried over. UNLOGGED: they need no WAL flush per attempt, and a crash or a failover to a standby
-- starts them again.
DROP TABLE "rate_limits";--> statement-breakpoint
CREATE UNLOGGED TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
