import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import type { AttemptLimiter } from '../domain/sessions/attempt-limiter.js';
import type { Db } from './database.js';
import { rateLimits } from './tables/index.js';

/**
 * rate-limiter-flexible over drizzle: one atomic upsert per attempt in the shared rate_limits table, so
 * every Kith process on the database counts against the same limit.
 */
export function createAttemptLimiter(db: Db, options: { name: string; points: number; durationSeconds: number }): AttemptLimiter {
  const limiter = new RateLimiterDrizzle({
    storeClient: db,
    schema: rateLimits,
    keyPrefix: `kith:${options.name}`,
    points: options.points,
    duration: options.durationSeconds,
  });
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return null;
      } catch (rejection) {
        // consume() rejects with a RateLimiterRes when over the limit, with an Error when the store fails.
        if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw rejection;
      }
    },
  };
}
