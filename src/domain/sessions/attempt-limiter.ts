/** Counts attempts per key in a window shared by every process; the store implements it. */
export interface AttemptLimiter {
  /** Counts one attempt: null while within the limit, otherwise the seconds until the next is allowed. */
  consume(key: string): Promise<number | null>;
}
