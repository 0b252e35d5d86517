import { hash, verify } from '@node-rs/argon2';

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2;
import type { PasswordHasher } from '../domain/credentials/credential-store.js';

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
 */
export function createArgon2Hasher(params: Argon2Parameters = OWASP_ARGON2ID): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params };
  return {
    hash: (password) => hash(password, options),
    verify: (encoded, password) => verify(encoded, password),
  };
}
