import { randomUUID } from 'node:crypto';
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { FactorStore } from '../domain/factors/factor-store.js';
import type { Db } from './database.js';
import { recoveryCodes, totpFactors } from './tables/index.js';

export function createFactorStore(db: Db): FactorStore {
  const deleteCodes = (customerId: string) => db.delete(recoveryCodes).where(eq(recoveryCodes.customerId, customerId));
  return {
    async summary(customerId) {
      const [row] = await db
        .select({
          totpConfirmed: sql<boolean>`exists (select 1 from ${totpFactors} where ${totpFactors.customerId} = ${customerId} and ${isNotNull(totpFactors.confirmedAt)})`,
          recoveryCodesRemaining: sql<number>`(select count(*)::int from ${recoveryCodes} where ${recoveryCodes.customerId} = ${customerId} and ${isNull(recoveryCodes.usedAt)})`,
        })
        .from(sql`(select 1) as one`);
      return { totpConfirmed: row?.totpConfirmed === true, recoveryCodesRemaining: Number(row?.recoveryCodesRemaining ?? 0) };
    },
    async lockTotp(customerId) {
      const [row] = await db.select().from(totpFactors).where(eq(totpFactors.customerId, customerId)).for('update');
      if (!row) return null;
      const { sealedSecret, confirmedAt, lastStep, failedAttempts, lockouts, lockedUntil } = row;
      return { sealedSecret, confirmed: confirmedAt !== null, lastStep, failedAttempts, lockouts, lockedUntil };
    },
    async savePendingTotp(customerId, sealedSecret, at) {
      const fresh = { sealedSecret, confirmedAt: null, lastStep: null, failedAttempts: 0, lockouts: 0, lockedUntil: null, createdAt: at, updatedAt: at };
      // One statement: a concurrent confirmation either commits first (and the update is skipped) or waits.
      const rows = await db
        .insert(totpFactors)
        .values({ customerId, ...fresh })
        .onConflictDoUpdate({ target: totpFactors.customerId, set: fresh, setWhere: isNull(totpFactors.confirmedAt) })
        .returning({ customerId: totpFactors.customerId });
      return rows.length > 0;
    },
    async saveTotpState(customerId, state, at) {
      const [row] = await db
        .update(totpFactors)
        .set({
          lastStep: state.lastStep,
          failedAttempts: state.failedAttempts,
          lockouts: state.lockouts,
          lockedUntil: state.lockedUntil,
          updatedAt: at,
          confirmedAt: state.confirmed ? sql`coalesce(${totpFactors.confirmedAt}, ${at.toISOString()}::timestamptz)` : null,
        })
        .where(eq(totpFactors.customerId, customerId))
        .returning({ customerId: totpFactors.customerId });
      if (!row) throw new Error('saveTotpState: no TOTP row (it is locked by the caller, so it cannot vanish)');
    },
    async deleteTotp(customerId) {
      await deleteCodes(customerId);
      const rows = await db.delete(totpFactors).where(eq(totpFactors.customerId, customerId)).returning({ customerId: totpFactors.customerId });
      return rows.length > 0;
    },
    async replaceRecoveryCodes(customerId, hashes, at) {
      await deleteCodes(customerId);
      if (hashes.length === 0) return;
      await db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ id: randomUUID(), customerId, codeHash, usedAt: null, createdAt: at })));
    },
    async useRecoveryCode(customerId, hash, at) {
      // A concurrent request with the same code waits on the row, then finds used_at set and matches nothing.
      const rows = await db
        .update(recoveryCodes)
        .set({ usedAt: at })
        .where(and(eq(recoveryCodes.customerId, customerId), eq(recoveryCodes.codeHash, hash), isNull(recoveryCodes.usedAt)))
        .returning({ id: recoveryCodes.id });
      return rows.length > 0;
    },
  };
}
