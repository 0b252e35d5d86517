import { createHmac, hkdfSync } from 'node:crypto';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { AttemptLimiter } from '../domain/sessions/attempt-limiter.js';
import type { Database } from './database.js';

/**
 * rate-limiter-flexible's RateLimiterPostgres: one atomic upsert per attempt in the shared
 * rate_limit_counters table (made by a migration: src/store/tables/rate-limits.ts), so every Kith process on the database counts
 * against the same limit. Its statement is a fixed text, so the pool prepares it; RateLimiterDrizzle built
 * its upsert with drizzle on every attempt, a tenth of a sign-in's main thread. It takes a node-postgres
 * pool, of which it uses only `query({ text, values })`: Kith hands it that method over its own pool.
 *
 * The table never holds a key in clear (an email or an IP address is personal data, and a row stays about an
 * hour after it expires, until the library's cleanup): each key is stored as its HMAC-SHA-256 under
 * a key derived from `secret` (KITH_KEY_ENCRYPTION_KEY, the same on every process, so they still share counts).
 */
export function createAttemptLimiter(
  database: Database,
  options: { name: string; points: number; durationSeconds: number; secret: string },
): AttemptLimiter {
  const hmacKey = Buffer.from(hkdfSync('sha256', options.secret, 'kith', 'kith rate-limit keys v1', 32));
  const pseudonym = (key: string) => createHmac('sha256', hmacKey).update(key).digest('base64url');
  const limiter = new RateLimiterPostgres({
    // What it reads of node-postgres's result: rows, and rowCount (get() and delete() test it).
    storeClient: { query: (query: { text: string; values?: unknown[] }) => database.query(query.text, query.values ?? []) },
    storeType: 'pool',
    tableName: 'rate_limit_counters',
    tableCreated: true,
    clearExpiredByTimeout: true,
    keyPrefix: `kith:${options.name}`,
    points: options.points,
    duration: options.durationSeconds,
  });
  return {
    async consume(key) {
      try {
        await limiter.consume(pseudonym(key));
        return null;
      } catch (rejection) {
        // consume() rejects with a RateLimiterRes when over the limit, with an Error when the store fails.
        if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw rejection;
      }
    },
  };
}
