import { compactDecrypt, createLocalJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createAccessTokens } from '../../src/auth/access-tokens.js';
import { ACTIVE_KEY_REREAD_SECONDS, createSigningKeys, JWKS_MAX_AGE_SECONDS, KeyEncryptionError, PUBLISHED_BEFORE_SIGNING_SECONDS, publishedAfterRetirement } from '../../src/auth/signing-keys.js';
import { loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/domain/clock.js';
import { createKith } from '../../src/server/app.js';
import { openDatabase } from '../../src/store/database.js';
import { createSigningKeyStore } from '../../src/store/signing-key-store.js';
import { KEY_ENCRYPTION_KEY, startClockedKith, startKith, type TestKith } from '../support/kith.js';

let k: TestKith;
let base: string;
beforeAll(async () => {
  k = await startKith();
  base = k.url.replace(/\/graphql$/, '');
});

const TTL = 600;
const keysAt = (clock: Clock, secret = KEY_ENCRYPTION_KEY, database = k.database) =>
  createSigningKeys({ store: createSigningKeyStore(database.db), clock, encryptionSecret: secret, tokenLifetimeSeconds: TTL });
const now: Clock = { now: () => new Date() };

async function jwks(): Promise<{ keys: Record<string, unknown>[] }> {
  const response = await fetch(`${base}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('public, max-age=300');
  return (await response.json()) as { keys: Record<string, unknown>[] };
}

/**
 * A database of its own, with a clock the test moves: rotating with a 10-minute lifetime would unpublish,
 * early, the key every other test file's servers sign with (on PostgreSQL every worker shares the test database).
 */
async function ownKeyDatabase() {
  const own = await openDatabase({ dataDir: 'memory://' });
  await own.migrate();
  onTestFinished(() => own.close());
  let at = Date.now();
  const clock: Clock = { now: () => new Date(at) };
  return { own, clock, advance: (ms: number) => (at += ms) };
}

const sign = async (keys: ReturnType<typeof keysAt>) => {
  const { kid, key } = await keys.signingKey();
  return new SignJWT({ sub: 'someone' }).setProtectedHeader({ alg: 'EdDSA', kid }).setIssuedAt().setExpirationTime('5m').sign(key);
};

describe('signing keys', () => {
  it('publishes the active Ed25519 public key, and never a private part', async () => {
    const { kid } = await keysAt(now).signingKey();
    const { keys } = await jwks();
    expect(keys.map((key) => key.kid)).toContain(kid);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('stores the private key only as a JWE that the configured secret opens', async () => {
    const { kid } = await keysAt(now).signingKey();
    const result = await k.database.db.execute(sql`select encrypted_private_jwk as jwe from signing_keys where kid = ${kid}`);
    const [row] = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { jwe: string }[];
    expect(row!.jwe.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(row!.jwe)).toEqual({ alg: 'dir', enc: 'A256GCM', kid });
    const { hkdfSync } = await import('node:crypto');
    const wrapping = new Uint8Array(hkdfSync('sha256', KEY_ENCRYPTION_KEY, 'kith', 'kith signing-key encryption v1', 32));
    const { plaintext } = await compactDecrypt(row!.jwe, wrapping);
    const privateJwk = JSON.parse(new TextDecoder().decode(plaintext)) as { d: string; x: string };
    expect(privateJwk.d).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(row!.jwe).not.toContain(privateJwk.d);
  });

  it('refuses to start with another encryption secret, before serving anything', async () => {
    await expect(keysAt(now, 'another-secret-another-secret-another-secret').ensureActive()).rejects.toBeInstanceOf(KeyEncryptionError);
    const config = loadConfig({ NODE_ENV: 'test', KITH_KEY_ENCRYPTION_KEY: 'another-secret-another-secret-another-secret' });
    await expect(createKith(config, { database: k.database })).rejects.toThrow(/KITH_KEY_ENCRYPTION_KEY does not decrypt/);
  });

  it('keeps the active key across restarts', async () => {
    const before = (await keysAt(now).signingKey()).kid;
    expect(await keysAt(now).ensureActive()).toBe(before);
  });

  it('stops accepting a token whose key was withdrawn, even one it has verified before', async () => {
    const clocked = await startClockedKith({}, { ownDatabase: true });
    try {
      const token = await clocked.staffToken('admin');
      expect((await clocked.gql('{ viewer { role } }', {}, { token })).data).toEqual({ viewer: { role: 'ADMIN' } });
      const { kid } = await clocked.kith.signingKeys.signingKey();
      await clocked.kith.signingKeys.rotate({ immediately: true });
      // An emergency withdrawal (a leaked key, say): unpublished now, before its tokens expire.
      await clocked.database.db.execute(sql`update signing_keys set expires_at = now() - interval '1 second' where kid = ${kid}`);
      clocked.advance(61_000);
      expect((await clocked.gql('{ viewer { role } }', {}, { token })).status).toBe(401);
    } finally {
      await clocked.close();
    }
  });

  it('rotates without invalidating tokens already signed, until they expire', async () => {
    const { own, clock, advance } = await ownKeyDatabase();
    const keys = keysAt(clock, KEY_ENCRYPTION_KEY, own);
    await keys.ensureActive();
    const oldToken = await sign(keys);
    const oldKid = decodeProtectedHeader(oldToken).kid;
    const newKid = (await keys.rotate({ immediately: true })).kid;
    expect(newKid).not.toBe(oldKid);
    const newToken = await sign(keys);
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);

    const published = createLocalJWKSet((await keys.jwks()) as never);
    await expect(jwtVerify(oldToken, published, { algorithms: ['EdDSA'] })).resolves.toBeDefined();
    await expect(jwtVerify(newToken, published, { algorithms: ['EdDSA'] })).resolves.toBeDefined();

    // Another process may sign with the old key until it reads the active key again (or while that read
    // fails, for the fallback); those tokens live TTL.
    advance(publishedAfterRetirement(TTL) * 1000 - 1);
    expect((await keys.jwks()).keys.map((key) => key.kid)).toContain(oldKid);
    advance(1);
    const later = (await keys.jwks()).keys.map((key) => key.kid);
    expect(later).toContain(newKid);
    expect(later).not.toContain(oldKid);
  });

  it("accepts another process's first token after a rotation, however recently it loaded the key set", async () => {
    const { own, clock, advance } = await ownKeyDatabase();
    const tokensOf = (keys: ReturnType<typeof keysAt>) =>
      createAccessTokens({ signingKeys: keys, clock, issuer: 'http://localhost:4000', audience: 'kith', ttlSeconds: TTL, staffTtlSeconds: TTL });
    const [rotating, verifying] = [keysAt(clock, KEY_ENCRYPTION_KEY, own), keysAt(clock, KEY_ENCRYPTION_KEY, own)];
    await rotating.ensureActive();
    const [a, b] = [tokensOf(rotating), tokensOf(verifying)];
    const claims = { customerId: randomUUID(), sessionId: randomUUID(), authTime: clock.now(), acr: 'pwd', amr: ['pwd'] };
    await b.verify((await a.issuer.issue(claims)).token);
    advance(300);
    await rotating.rotate({ immediately: true });
    const fresh = (await a.issuer.issue(claims)).token;
    expect(await b.verify(fresh)).toMatchObject({ kind: 'customer', customerId: claims.customerId });
    // A token that claims an older issue time gets no reload this soon: the key set was read since.
    await rotating.rotate({ immediately: true });
    const backdated = await new SignJWT({ sid: randomUUID(), auth_time: 0, acr: 'pwd', amr: ['pwd'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: (await rotating.signingKey()).kid, typ: 'at+jwt' })
      .setIssuer('http://localhost:4000').setAudience('kith').setSubject(claims.customerId).setJti(randomUUID())
      .setIssuedAt(Math.floor(clock.now().getTime() / 1000) - 60).setExpirationTime('5m')
      .sign((await rotating.signingKey()).key);
    advance(200);
    await expect(b.verify(backdated)).rejects.toThrow();
  });

  it('reads the key set once for any number of tokens with unknown kids arriving together', async () => {
    const { own, clock, advance } = await ownKeyDatabase();
    const keys = keysAt(clock, KEY_ENCRYPTION_KEY, own);
    await keys.ensureActive();
    let reads = 0;
    const counted = { ...keys, jwks: async () => ((reads += 1), await new Promise((r) => setTimeout(r, 20)), keys.jwks()) };
    const tokens = createAccessTokens({ signingKeys: counted, clock, issuer: 'http://localhost:4000', audience: 'kith', ttlSeconds: TTL, staffTtlSeconds: TTL });
    const claims = { customerId: randomUUID(), sessionId: randomUUID(), authTime: clock.now(), acr: 'pwd', amr: ['pwd'] };
    await tokens.verify((await tokens.issuer.issue(claims)).token);
    expect(reads).toBe(1);
    advance(150);
    // Forged: an unknown kid and an iat of now, which is what may trigger an early reload.
    const { privateKey } = await generateKeyPair('EdDSA');
    const forged = await new SignJWT({ sid: randomUUID(), auth_time: 0, acr: 'pwd', amr: ['pwd'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'made-up', typ: 'at+jwt' })
      .setIssuer('http://localhost:4000').setAudience('kith').setSubject(randomUUID()).setJti(randomUUID())
      .setIssuedAt(Math.floor(clock.now().getTime() / 1000)).setExpirationTime('5m')
      .sign(privateKey);
    const answers = await Promise.allSettled(Array.from({ length: 50 }, () => tokens.verify(forged)));
    expect(answers.every((a) => a.status === 'rejected')).toBe(true);
    expect(reads).toBe(2);
  });

  it('publishes a rotated-in key a JWKS max-age before it signs, then retires the old one', async () => {
    const { own, clock, advance } = await ownKeyDatabase();
    const keys = keysAt(clock, KEY_ENCRYPTION_KEY, own);
    const oldKid = await keys.ensureActive();
    const { kid: newKid, activatesAt } = await keys.rotate();
    expect(activatesAt.getTime() - clock.now().getTime()).toBe(PUBLISHED_BEFORE_SIGNING_SECONDS * 1000);
    expect(PUBLISHED_BEFORE_SIGNING_SECONDS).toBeGreaterThan(JWKS_MAX_AGE_SECONDS);
    // Published at once, so a JWKS fetched from now on has it; the old key goes on signing.
    expect((await keys.jwks()).keys.map((key) => key.kid)).toEqual([oldKid, newKid]);
    expect((await keys.signingKey()).kid).toBe(oldKid);
    advance(PUBLISHED_BEFORE_SIGNING_SECONDS * 1000 - 1);
    expect((await keysAt(clock, KEY_ENCRYPTION_KEY, own).signingKey()).kid).toBe(oldKid);
    advance(1);
    expect((await keysAt(clock, KEY_ENCRYPTION_KEY, own).signingKey()).kid).toBe(newKid);
    // The old key stays published for its last tokens, then goes.
    advance(publishedAfterRetirement(TTL) * 1000 - 1);
    expect((await keys.jwks()).keys.map((key) => key.kid)).toEqual([oldKid, newKid]);
    advance(1);
    expect((await keys.jwks()).keys.map((key) => key.kid)).toEqual([newKid]);
  });

  it('rotating again before the next key signs replaces it, and every key signs in turn', async () => {
    const { own, clock, advance } = await ownKeyDatabase();
    const keys = () => keysAt(clock, KEY_ENCRYPTION_KEY, own);
    const first = await keys().ensureActive();
    const second = await keys().rotate();
    advance(60_000);
    const third = await keys().rotate();
    expect((await keys().signingKey()).kid).toBe(first);
    advance(second.activatesAt.getTime() - clock.now().getTime());
    expect((await keys().signingKey()).kid).toBe(second.kid);
    advance(third.activatesAt.getTime() - clock.now().getTime());
    expect((await keys().signingKey()).kid).toBe(third.kid);
  });

  it("signs with another process's new key once it reads the active key again", async () => {
    const { own, clock, advance } = await ownKeyDatabase();
    const [one, other] = [keysAt(clock, KEY_ENCRYPTION_KEY, own), keysAt(clock, KEY_ENCRYPTION_KEY, own)];
    const first = await one.ensureActive();
    expect(decodeProtectedHeader(await sign(one)).kid).toBe(first);
    expect(decodeProtectedHeader(await sign(other)).kid).toBe(first);
    // The process that rotates signs with the new key at once.
    const { kid: next } = await other.rotate({ immediately: true });
    expect(decodeProtectedHeader(await sign(other)).kid).toBe(next);
    advance(ACTIVE_KEY_REREAD_SECONDS * 1000 - 1);
    expect(decodeProtectedHeader(await sign(one)).kid).toBe(first);
    advance(1);
    expect(decodeProtectedHeader(await sign(one)).kid).toBe(next);
  });
});
