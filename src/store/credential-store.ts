import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { CredentialStore } from '../domain/credentials/credential-store.js';
import type { Db } from './database.js';
import { credentials } from './tables/index.js';

export function createCredentialStore(db: Db): CredentialStore {
  return {
    async setPassword(customerId, passwordHash, at) {
      await db
        .insert(credentials)
        .values({ id: randomUUID(), customerId, kind: 'password', secretHash: passwordHash, createdAt: at, updatedAt: at })
        .onConflictDoUpdate({ target: [credentials.customerId, credentials.kind], set: { secretHash: passwordHash, updatedAt: at } });
    },
    async lockPassword(customerId) {
      const [row] = await db
        .select({ hash: credentials.secretHash, failedAttempts: credentials.failedAttempts, lockouts: credentials.lockouts, lockedUntil: credentials.lockedUntil })
        .from(credentials)
        .where(and(eq(credentials.customerId, customerId), eq(credentials.kind, 'password')))
        .for('update');
      return row ?? null;
    },
    async saveLockout(customerId, state) {
      await db
        .update(credentials)
        .set({ failedAttempts: state.failedAttempts, lockouts: state.lockouts, lockedUntil: state.lockedUntil })
        .where(and(eq(credentials.customerId, customerId), eq(credentials.kind, 'password')));
    },
    async findPasswordHash(customerId) {
      const [row] = await db
        .select({ hash: credentials.secretHash })
        .from(credentials)
        .where(and(eq(credentials.customerId, customerId), eq(credentials.kind, 'password')));
      return row?.hash ?? null;
    },
  };
}
