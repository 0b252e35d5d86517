import { rateLimited } from '../errors.js';

/** Counts attempts per key in a window shared by every process; the store implements it. */
export interface AttemptLimiter {
  /** Counts one attempt: null while within the limit, otherwise the seconds until the next is allowed. */
  consume(key: string): Promise<number | null>;
}

/**
 * Counts one attempt against every limiter (null keys are skipped) and waits for all of them; RATE_LIMITED
 * when any is exhausted. `what` names the attempts in the message, such as "sign-in".
 */
export async function consumeAttempts(what: string, keys: { limiter: AttemptLimiter; key: string | null }[]): Promise<void> {
  const waits = await Promise.all(keys.map(({ limiter, key }) => (key ? limiter.consume(key) : null)));
  const wait = Math.max(...waits.map((w) => w ?? 0));
  if (wait > 0) throw rateLimited(`Too many ${what} attempts: try again in ${wait} seconds.`, wait);
}

/** The per-account limiter's key for a signed-in customer: password and second-factor step-ups share it. */
export const accountAttemptKey = (customerId: string): string => `customer:${customerId}`;
