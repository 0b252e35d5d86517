import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Clock } from '../domain/clock.js';
import type { SigningKeyStore, StoredSigningKey } from '../domain/keys/signing-key-store.js';
import { createSecretSealer } from './secret-sealer.js';

/** A private key as jose hands it out (a WebCrypto key). */
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** The signing algorithm of every Kith token: Ed25519 (EdDSA), small keys and fast, constant-time signatures. */
export const SIGNING_ALG = 'EdDSA';

/**
 * How long a process signs with the active key it last read before reading it again: a rotation by any
 * process takes effect everywhere within this time, so a retired key stays published this much longer.
 */
export const ACTIVE_KEY_REREAD_SECONDS = 10;

export class KeyEncryptionError extends Error {
  override name = 'KeyEncryptionError';
}

export interface SigningKeysOptions {
  store: SigningKeyStore;
  clock: Clock;
  /** KITH_KEY_ENCRYPTION_KEY: the secret the private keys are encrypted with at rest. */
  encryptionSecret: string;
  /** The longest a token signed by a key can live: a retired key stays published this long. */
  tokenLifetimeSeconds: number;
}

/** When a read of the active key fails, the key read before signs on for at most this long after its read. */
export const SIGNING_FALLBACK_SECONDS = ACTIVE_KEY_REREAD_SECONDS;
/**
 * How long a retired key stays in the JWKS: other processes may sign with it until they read the active key
 * again (or, when that read fails, for the fallback), and each token it signs lives `tokenLifetimeSeconds`.
 */
export const publishedAfterRetirement = (tokenLifetimeSeconds: number) => tokenLifetimeSeconds + ACTIVE_KEY_REREAD_SECONDS + SIGNING_FALLBACK_SECONDS;

/** How long clients may cache the JWKS (its Cache-Control max-age). */
export const JWKS_MAX_AGE_SECONDS = 300;
/**
 * A rotated-in key is published this long before it signs, so that an app or HTTP cache holding the JWKS
 * for its max-age has it before the first token it signs (plus a margin for the processes' clocks).
 */
export const PUBLISHED_BEFORE_SIGNING_SECONDS = JWKS_MAX_AGE_SECONDS + ACTIVE_KEY_REREAD_SECONDS;

export type SigningKeys = ReturnType<typeof createSigningKeys>;

/**
 * Kith's token signing keys: made at first start, kept in the database with the private half encrypted
 * (a JWE, dir + A256GCM, under a key derived from KITH_KEY_ENCRYPTION_KEY with HKDF-SHA256), and rotated
 * without logging anyone out: a retired key's public half stays in the JWKS until its last token expires.
 */
export function createSigningKeys(options: SigningKeysOptions) {
  const { store, clock } = options;
  const sealer = createSecretSealer(options.encryptionSecret, 'kith signing-key encryption v1');
  /** Decrypted private keys by kid; a process decrypts each key once. */
  const privateKeys = new Map<string, PrivateKey>();
  /** The active key as last read, and when. */
  let lastRead: { key: StoredSigningKey; at: number } | null = null;

  async function generate(): Promise<StoredSigningKey> {
    const { publicKey, privateKey } = await generateKeyPair('Ed25519', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    const encryptedPrivateJwk = await sealer.seal(new TextEncoder().encode(JSON.stringify(privateJwk)), kid);
    return { kid, alg: SIGNING_ALG, publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' }, encryptedPrivateJwk, createdAt: clock.now(), retiredAt: null, expiresAt: null, activatesAt: null };
  }

  async function decrypt(key: StoredSigningKey): Promise<PrivateKey> {
    const known = privateKeys.get(key.kid);
    if (known) return known;
    let jwk: JWK;
    try {
      jwk = JSON.parse(new TextDecoder().decode(await sealer.open(key.encryptedPrivateJwk, key.kid))) as JWK;
    } catch {
      throw new KeyEncryptionError(
        `KITH_KEY_ENCRYPTION_KEY does not decrypt signing key ${key.kid}: every Kith process on one database needs the same key.`,
      );
    }
    const imported = (await importJWK(jwk, SIGNING_ALG)) as PrivateKey;
    privateKeys.set(key.kid, imported);
    return imported;
  }

  async function active(): Promise<StoredSigningKey> {
    const key = await store.findActive(clock.now());
    if (!key) throw new Error('no active signing key: ensureActive() runs at start');
    return key;
  }

  return {
    /** At start: makes the first key if there is none (one process wins a race), and proves it decrypts. */
    async ensureActive(): Promise<string> {
      let key = await store.findActive(clock.now());
      if (!key) {
        const made = await generate();
        key = (await store.insertActiveIfNone(made)) ? made : await active();
      }
      await decrypt(key);
      lastRead = { key, at: clock.now().getTime() };
      return key.kid;
    },

    /**
     * The key to sign with now: read again from the database every ACTIVE_KEY_REREAD_SECONDS. When that read
     * fails, the key read before goes on signing for SIGNING_FALLBACK_SECONDS more (it is still published
     * then), so a token is not refused for a database blip after what it stands for was written (a refresh
     * token's rotation, say).
     */
    async signingKey(): Promise<{ kid: string; key: PrivateKey }> {
      const now = clock.now().getTime();
      const age = lastRead ? now - lastRead.at : Number.POSITIVE_INFINITY;
      if (!lastRead || age < 0 || age >= ACTIVE_KEY_REREAD_SECONDS * 1000) {
        try {
          lastRead = { key: await active(), at: now };
        } catch (error) {
          if (!lastRead || now - lastRead.at >= (ACTIVE_KEY_REREAD_SECONDS + SIGNING_FALLBACK_SECONDS) * 1000) throw error;
        }
      }
      const { key } = lastRead;
      return { kid: key.kid, key: await decrypt(key) };
    },

    /**
     * Makes a new key and publishes it; it replaces the active key PUBLISHED_BEFORE_SIGNING_SECONDS later,
     * or at once with `immediately` (a leaked key: apps holding an older JWKS then refuse new tokens until
     * they fetch it again). Returns the new kid and when it signs.
     */
    async rotate(how: { immediately?: boolean } = {}): Promise<{ kid: string; activatesAt: Date }> {
      const next = await generate();
      const delay = how.immediately ? 0 : PUBLISHED_BEFORE_SIGNING_SECONDS * 1000;
      const activatesAt = new Date(clock.now().getTime() + delay);
      await store.rotate(next, activatesAt, new Date(activatesAt.getTime() + publishedAfterRetirement(options.tokenLifetimeSeconds) * 1000));
      lastRead = null;
      return { kid: next.kid, activatesAt };
    },

    /** The published JSON Web Key Set: public halves only. */
    async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
      const keys = await store.listPublished(clock.now());
      return { keys: keys.map((key) => key.publicJwk) };
    },
  };
}
