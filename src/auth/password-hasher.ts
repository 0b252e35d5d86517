import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import type { PasswordHasher } from '../domain/credentials/credential-store.js';
import { passwordsBusy } from '../domain/errors.js';

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2;

export interface Argon2Parameters {
  /** Memory in KiB. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane. */
export const OWASP_ARGON2ID: Argon2Parameters = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * argon2id through @node-rs/argon2: a maintained native binding that hashes on libuv's thread pool,
 * so the event loop keeps serving requests while a password is hashed.
 *
 * At most `concurrency` hashes are handed to the pool at once; the rest wait their turn in this process
 * (p-limit, first come first served). The pool is shared and first in first out: WebCrypto's
 * signatures (jose signs and verifies tokens through it), async fs and DNS queue there too. Unbounded, a
 * burst of sign-ins would queue all its hashes ahead of the next token signature, so each sign-in would
 * wait for the whole burst a second time, and so would anything else that needs the pool. With
 * `concurrency` at most the pool's size (config.ts), a job waits at most for a running hash to end.
 *
 * At most `maxWaiting` wait their turn: past that a new hash is refused at once (RATE_LIMITED, try again
 * in a second) instead of queued, and busy() tells a sign-in to refuse before it counts an attempt (its
 * verification, once counted, is always queued). Under a flood the queue would otherwise grow without
 * end, every answer would come later than the one before, and the process would go on hashing for
 * clients that gave up.
 */
export function createArgon2Hasher(
  params: Argon2Parameters = OWASP_ARGON2ID,
  concurrency = Number.POSITIVE_INFINITY,
  maxWaiting = Number.POSITIVE_INFINITY,
): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params };
  const limit = pLimit(concurrency);
  const busy = () => limit.pendingCount >= maxWaiting;
  const bounded = <T>(work: () => Promise<T>): Promise<T> => (busy() ? Promise.reject(passwordsBusy()) : limit(work));
  // First in the queue, so never refused; with the same parameters as every other hash.
  const dummy = limit(() => hash(randomBytes(32).toString('base64url'), options));
  return {
    hash: (password) => bounded(() => hash(password, options)),
    verify: (encoded, password) => limit(() => verify(encoded, password)),
    busy,
    dummyHash: () => dummy,
  };
}
