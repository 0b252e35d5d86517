import { and, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Session } from '../domain/sessions/session.js';
import type { SessionStore } from '../domain/sessions/session-store.js';
import { type Db, rawStatement } from './database.js';
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

const p = (name: string) => sql.placeholder(name);

/** Checked on every authenticated request (and recorded on every sign-in), so prepared once per database. */
export function prepareSessionReads(db: Db) {
  return {
    active: db
      .select(sessionColumns)
      .from(sessions)
      .innerJoin(customers, eq(customers.id, sessions.customerId))
      .where(and(eq(sessions.id, sql.placeholder('id')), isNull(sessions.revokedAt), eq(customers.status, 'REGISTERED')))
      .prepare('kith_session_active'),
    // The customer's row and its password's are share-locked, and must still be REGISTERED and hold the hash
    // the password was checked against: an erasure, a disabling or a password change holds one of those
    // locks until it commits, so a sign-in racing one waits for it and then opens no session (rather than
    // leave one on a tombstone or a disabled account, or one a password change did not end).
    openAfterPassword: rawStatement(
      db,
      sql`with created as (
          insert into sessions (id, customer_id, created_at, last_used_at, auth_time, acr, amr, user_agent, ip, refresh_hash)
          select ${p('id')}::uuid, customers.id, ${p('createdAt')}::timestamptz, ${p('lastUsedAt')}::timestamptz,
            ${p('authTime')}::timestamptz, ${p('acr')}, ${p('amr')}::text[], ${p('userAgent')}, ${p('ip')}, ${p('refreshHash')}
          from customers join credentials on credentials.customer_id = customers.id and credentials.kind = 'password'
          where customers.id = ${p('customerId')}::uuid and customers.status = 'REGISTERED' and credentials.secret_hash = ${p('passwordHash')}
          for share
          returning customer_id
        ),
        cleared as (
          update credentials set failed_attempts = 0, lockouts = 0, locked_until = null
          where customer_id = (select customer_id from created) and kind = 'password'
        )
        select count(*)::int as created from created`,
      'kith_session_after_password',
    ),
  };
}

/** `announced` runs after a write that can end a token (see src/store/principal-changes.ts). */
export function createSessionStore(db: Db, prepared?: ReturnType<typeof prepareSessionReads>, announced: PrincipalWritten = () => {}): SessionStore {
  return {
    async createAfterPassword(session: Session, refreshHash: string, passwordHash: string) {
      const s = session;
      const [row] = await (prepared ?? prepareSessionReads(db)).openAfterPassword.execute({
        id: s.id,
        customerId: s.customerId,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt.toISOString(),
        authTime: s.authTime.toISOString(),
        acr: s.acr,
        amr: s.amr,
        userAgent: s.userAgent,
        ip: s.ip,
        refreshHash,
        passwordHash,
      });
      return Number(row?.created) === 1;
    },
    async findActive(id) {
      const reads = prepared ?? prepareSessionReads(db);
      const [row] = await reads.active.execute({ id });
      return row ?? null;
    },
    async lockForRefresh(id) {
      const [row] = await db
        .select({ ...sessionColumns, refreshHash: sessions.refreshHash, previousRefreshHash: sessions.previousRefreshHash, customerStatus: customers.status })
        .from(sessions)
        .innerJoin(customers, eq(customers.id, sessions.customerId))
        .where(eq(sessions.id, id))
        .for('update', { of: sessions });
      if (!row) return null;
      const { refreshHash, previousRefreshHash, customerStatus, ...session } = row;
      return { session, refreshHash, previousRefreshHash, customerStatus };
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
        .returning(sessionColumns);
      if (rows.length > 0) await announced();
      return rows;
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
