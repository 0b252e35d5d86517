import { and, asc, desc, gt, isNull, lte, or } from 'drizzle-orm';
import type { SigningKeyStore } from '../domain/keys/signing-key-store.js';
import type { Db } from './database.js';
import { signingKeys } from './tables/index.js';

export function createSigningKeyStore(db: Db): SigningKeyStore {
  return {
    async findActive(at) {
      const [row] = await db
        .select()
        .from(signingKeys)
        .where(
          and(
            or(isNull(signingKeys.retiredAt), gt(signingKeys.retiredAt, at)),
            or(isNull(signingKeys.activatesAt), lte(signingKeys.activatesAt, at)),
          ),
        )
        .orderBy(desc(signingKeys.createdAt))
        .limit(1);
      return row ?? null;
    },
    async insertActiveIfNone(key) {
      // The unique index over active keys turns a second concurrent insert into a no-op.
      const rows = await db.insert(signingKeys).values({ ...key, retiredAt: null, expiresAt: null, activatesAt: null }).onConflictDoNothing().returning();
      return rows.length > 0;
    },
    async listPublished(at) {
      return db
        .select()
        .from(signingKeys)
        .where(or(isNull(signingKeys.retiredAt), gt(signingKeys.expiresAt, at)))
        .orderBy(asc(signingKeys.createdAt));
    },
    async rotate(next, activatesAt, expiresAt) {
      await db.transaction(async (tx) => {
        await tx.update(signingKeys).set({ retiredAt: activatesAt, expiresAt }).where(isNull(signingKeys.retiredAt));
        await tx.insert(signingKeys).values({ ...next, retiredAt: null, expiresAt: null, activatesAt });
      });
    },
  };
}
