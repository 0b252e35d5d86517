import { and, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Session } from '../domain/sessions/session.js';
import type { SessionStore } from '../domain/sessions/session-store.js';
import type { Db } from './database.js';
import type { PrincipalWritten } from './principal-changes.js';
import { customers, sessions } from './tables/index.js';

/** A session as the domain sees it (src/domain/sessions/session.ts): never the refresh token hashes. */
export const sessionColumns = {
  id: sessions.id,
  customerId: sessions.customerId,
  createdAt: sessions.createdAt,
  lastUsedAt: sessions.lastUsedAt,
  authTime: sessions.authTime,
  acr: sessions.acr,
  amr: sessions.amr,
  userAgent: sessions.userAgent,
  ip: sessions.ip,
  revokedAt: sessions.revokedAt,
};

/** Checked on every authenticated request, so prepared once per database. */
export function prepareSessionReads(db: Db) {
  return {
    active: db
      .select(sessionColumns)
      .from(sessions)
      .innerJoin(customers, eq(customers.id, sessions.customerId))
      .where(and(eq(sessions.id, sql.placeholder('id')), isNull(sessions.revokedAt), eq(customers.status, 'REGISTERED')))
      .prepare('kith_session_active'),
  };
}

/** `announced` runs after a write that can end a token (see src/store/principal-changes.ts). */
export function createSessionStore(db: Db, prepared?: ReturnType<typeof prepareSessionReads>, announced: PrincipalWritten = () => {}): SessionStore {
  return {
    async createAfterPassword(session: Session, refreshHash: string) {
      // Begins by inserting, so each connection prepares it once (src/store/statement-preparation.ts).
      const s = session;
      await db.execute(sql`with created as (
          insert into sessions (id, customer_id, created_at, last_used_at, auth_time, acr, amr, user_agent, ip, refresh_hash)
          values (${s.id}::uuid, ${s.customerId}::uuid, ${s.createdAt.toISOString()}::timestamptz, ${s.lastUsedAt.toISOString()}::timestamptz,
            ${s.authTime.toISOString()}::timestamptz, ${s.acr}, ${sql.param(s.amr)}::text[], ${s.userAgent}, ${s.ip}, ${refreshHash})
          returning customer_id
        )
        update credentials set failed_attempts = 0, lockouts = 0, locked_until = null
        where customer_id = (select customer_id from created) and kind = 'password'`);
    },
    async findActive(id) {
      const reads = prepared ?? prepareSessionReads(db);
      const [row] = await reads.active.execute({ id });
      return row ?? null;
    },
    async lockForRefresh(id) {
      const [row] = await db
        .select({ ...sessionColumns, refreshHash: sessions.refreshHash, customerStatus: customers.status })
        .from(sessions)
        .innerJoin(customers, eq(customers.id, sessions.customerId))
        .where(eq(sessions.id, id))
        .for('update', { of: sessions });
      if (!row) return null;
      const { refreshHash, customerStatus, ...session } = row;
      return { session, refreshHash, customerStatus };
    },
    async rotate(id, currentHash, nextHash, at) {
      await db
        .update(sessions)
        .set({ refreshHash: nextHash, previousRefreshHash: currentHash, lastUsedAt: at })
        .where(and(eq(sessions.id, id), eq(sessions.refreshHash, currentHash)));
    },
    async elevate(id, proof) {
      const [row] = await db
        .update(sessions)
        .set({ authTime: proof.authTime, acr: proof.acr, amr: proof.amr })
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
        .returning(sessionColumns);
      return row ?? null;
    },
    async listActive(customerIds) {
      if (customerIds.length === 0) return [];
      return db
        .select(sessionColumns)
        .from(sessions)
        .where(and(inArray(sessions.customerId, [...customerIds]), isNull(sessions.revokedAt)))
        .orderBy(desc(sessions.createdAt));
    },
    async revokeAllOf(customerId, reason, at, keepId) {
      const rows = await db
        .update(sessions)
        .set({ revokedAt: at, revokeReason: reason })
        .where(and(eq(sessions.customerId, customerId), isNull(sessions.revokedAt), keepId ? ne(sessions.id, keepId) : undefined))
        .returning({ id: sessions.id });
      if (rows.length > 0) await announced();
      return rows.length;
    },
    async revoke(id, reason, at, ownedBy) {
      const [row] = await db
        .update(sessions)
        .set({ revokedAt: at, revokeReason: reason })
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt), ownedBy ? eq(sessions.customerId, ownedBy) : undefined))
        .returning({ customerId: sessions.customerId });
      if (row) await announced();
      return row?.customerId ?? null;
    },
  };
}
