import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createArgon2Hasher } from '../../src/auth/password-hasher.js';
import { setImmediate as tick } from 'node:timers/promises';
import { threadPoolSize } from '../../src/config/config.js';
import { DomainError } from '../../src/domain/errors.js';

/** argon2id's smallest settings Kith accepts (8 MiB, one pass): a few milliseconds a hash. */
const QUICK = { memoryCost: 8_192, timeCost: 1, parallelism: 1 };
/**
 * Kith's default settings, about ten milliseconds a hash: a wave of hashes on the pool takes long enough
 * that a signature delayed by busy cores still comes back within the first.
 */
const DEFAULT = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const PASSWORD = 'a long enough passphrase';
/** This process's pool: UV_THREADPOOL_SIZE threads, 4 unless set. */
const POOL = threadPoolSize(process.env);
/** Enough hashes to keep the pool busy for six waves. */
const QUEUED = 6 * POOL;

/**
 * Queues QUEUED verifications, then signs a token with jose (WebCrypto, which runs on libuv's thread pool
 * like the hashes): how many verifications had finished when the signature came back.
 */
async function verificationsBeforeASignature(concurrency: number): Promise<number> {
  const hasher = createArgon2Hasher(DEFAULT, concurrency);
  const encoded = await hasher.hash(PASSWORD);
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  let finished = 0;
  const verifications = Array.from({ length: QUEUED }, () =>
    hasher.verify(encoded, PASSWORD).then((ok) => {
      finished += 1;
      return ok;
    }),
  );
  await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setSubject('someone').sign(privateKey);
  const seen = finished;
  expect(await Promise.all(verifications)).toEqual(Array(QUEUED).fill(true));
  return seen;
}

describe('createArgon2Hasher', () => {
  it('verifies the password it hashed and refuses any other', async () => {
    const hasher = createArgon2Hasher(QUICK, 1);
    const encoded = await hasher.hash(PASSWORD);
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
    expect(await Promise.all([hasher.verify(encoded, PASSWORD), hasher.verify(encoded, `${PASSWORD}!`)])).toEqual([true, false]);
  });

  // Six waves of a larger pool would hold more memory than a unit test should (19 MiB a hash in flight).
  it.skipIf(POOL > 8)('never queues a hash on the pool: a token is signed while a burst of hashes waits', async () => {
    // Kith hashes on as many threads as the pool has (config.ts).
    const bounded = await verificationsBeforeASignature(POOL);
    // The signature waits for a running hash to end; the others of that first wave may end meanwhile.
    expect(bounded).toBeLessThan(QUEUED / 2);
    // Unbounded, every hash is queued on the pool before the signature, which waits for nearly all of them.
    const unbounded = await verificationsBeforeASignature(Number.POSITIVE_INFINITY);
    expect(unbounded).toBeGreaterThan(QUEUED / 2);
  });

  it('refuses a new hash at once, with RATE_LIMITED, while as many wait as it allows', async () => {
    const hasher = createArgon2Hasher(QUICK, 1, 2);
    const encoded = await hasher.hash(PASSWORD);
    expect(hasher.busy()).toBe(false);
    // One runs and two wait: the bound.
    const admitted = [hasher.verify(encoded, PASSWORD), hasher.hash(PASSWORD), hasher.verify(encoded, PASSWORD)];
    await tick();
    expect(hasher.busy()).toBe(true);
    const error = await hasher.hash(PASSWORD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    // A verification is queued all the same: its attempt was counted already (callers ask busy() first).
    const counted = hasher.verify(encoded, `${PASSWORD}!`);
    expect(await Promise.all([...admitted, counted])).toEqual([true, expect.stringMatching(/^\$argon2id\$/), true, false]);
    expect(hasher.busy()).toBe(false);
    expect(await hasher.hash(PASSWORD)).toMatch(/^\$argon2id\$/);
  });
});
