import { and, asc, eq, lt } from 'drizzle-orm';
import type { ChallengePurpose, StoredPasskey } from '../domain/passkeys/passkey.js';
import type { PasskeyStore, WebAuthnChallengeStore } from '../domain/passkeys/passkey-store.js';
import type { Db } from './database.js';
import { passkeys, webauthnChallenges } from './tables/index.js';

/** The columns a customer's list of devices shows: no key material. */
const shown = {
  id: passkeys.id,
  customerId: passkeys.customerId,
  name: passkeys.name,
  transports: passkeys.transports,
  aaguid: passkeys.aaguid,
  deviceType: passkeys.deviceType,
  backedUp: passkeys.backedUp,
  createdAt: passkeys.createdAt,
  lastUsedAt: passkeys.lastUsedAt,
};

const withKey = { ...shown, credentialId: passkeys.credentialId, publicKey: passkeys.publicKey, counter: passkeys.counter };

function decodeKey(row: Omit<StoredPasskey, 'publicKey'> & { publicKey: string }): StoredPasskey {
  return { ...row, publicKey: new Uint8Array(Buffer.from(row.publicKey, 'base64url')) };
}

export function createPasskeyStore(db: Db): PasskeyStore {
  const own = (customerId: string, id: string) => and(eq(passkeys.customerId, customerId), eq(passkeys.id, id));
  return {
    async create(passkey) {
      await db.insert(passkeys).values({ ...passkey, publicKey: Buffer.from(passkey.publicKey).toString('base64url') });
    },
    async listKeysOf(customerId) {
      const rows = await db.select(withKey).from(passkeys).where(eq(passkeys.customerId, customerId)).orderBy(asc(passkeys.createdAt), asc(passkeys.id));
      return rows.map(decodeKey);
    },
    listOf: (customerId) => db.select(shown).from(passkeys).where(eq(passkeys.customerId, customerId)).orderBy(asc(passkeys.createdAt), asc(passkeys.id)),
    async credentialIdTaken(credentialId) {
      const [row] = await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.credentialId, credentialId));
      return row !== undefined;
    },
    async findByCredentialId(customerId, credentialId) {
      const [row] = await db
        .select(withKey)
        .from(passkeys)
        .where(and(eq(passkeys.customerId, customerId), eq(passkeys.credentialId, credentialId)));
      return row ? decodeKey(row) : null;
    },
    async recordUse(id, expectedCounter, next) {
      const rows = await db
        .update(passkeys)
        .set({ counter: next.counter, backedUp: next.backedUp, lastUsedAt: next.at })
        .where(and(eq(passkeys.id, id), eq(passkeys.counter, expectedCounter)))
        .returning({ id: passkeys.id });
      return rows.length === 1;
    },
    async rename(customerId, id, name) {
      const [row] = await db.update(passkeys).set({ name }).where(own(customerId, id)).returning(shown);
      return row ?? null;
    },
    async remove(customerId, id) {
      const rows = await db.delete(passkeys).where(own(customerId, id)).returning({ id: passkeys.id });
      return rows.length === 1;
    },
  };
}

export function createWebAuthnChallengeStore(db: Db): WebAuthnChallengeStore {
  return {
    async put(challenge, now) {
      // Abandoned ceremonies leave expired rows behind; each new one sweeps them.
      await db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, now));
      await db
        .insert(webauthnChallenges)
        .values(challenge)
        .onConflictDoUpdate({
          target: [webauthnChallenges.sessionId, webauthnChallenges.purpose],
          set: { id: challenge.id, challenge: challenge.challenge, expiresAt: challenge.expiresAt },
        });
    },
    async take(sessionId, purpose) {
      const [row] = await db
        .delete(webauthnChallenges)
        .where(and(eq(webauthnChallenges.sessionId, sessionId), eq(webauthnChallenges.purpose, purpose)))
        .returning();
      return row ? { ...row, purpose: row.purpose as ChallengePurpose } : null;
    },
  };
}
