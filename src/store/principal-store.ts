import { and, asc, count, eq, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { ServiceClient, ServiceClientStore } from '../domain/principals/service-client.js';
import type { StaffMember, StaffRole, StaffStore } from '../domain/principals/staff.js';
import type { Db } from './database.js';
import { prepareFailureCount } from './password-lockout.js';
import type { PrincipalWritten } from './principal-changes.js';
import { serviceClients, staffMembers } from './tables/index.js';

const staffColumns = {
  id: staffMembers.id,
  email: staffMembers.email,
  name: staffMembers.name,
  role: staffMembers.role,
  tokenVersion: staffMembers.tokenVersion,
  disabledAt: staffMembers.disabledAt,
  totpEnabled: sql<boolean>`${staffMembers.totpConfirmedAt} is not null`.as('totp_enabled'),
  createdAt: staffMembers.createdAt,
  updatedAt: staffMembers.updatedAt,
};

/** A member's TOTP columns as they are when there is none. */
const noTotp = { totpSealedSecret: null, totpConfirmedAt: null, totpLastStep: null, totpFailedAttempts: 0, totpLockouts: 0, totpLockedUntil: null };

const clientColumns = {
  id: serviceClients.id,
  clientId: serviceClients.clientId,
  name: serviceClients.name,
  scopes: serviceClients.scopes,
  purposeKey: serviceClients.purposeKey,
  tokenVersion: serviceClients.tokenVersion,
  disabledAt: serviceClients.disabledAt,
  createdAt: serviceClients.createdAt,
  updatedAt: serviceClients.updatedAt,
};

const asStaff = (row: Omit<StaffMember, 'role'> & { role: string }): StaffMember => ({ ...row, role: row.role as StaffRole });
const asClient = (row: Omit<ServiceClient, 'scopes'> & { scopes: string[] }): ServiceClient => row as ServiceClient;

/** Checked on every staff or client request, so prepared once per database. */
export function preparePrincipalReads(db: Db) {
  return {
    staff: db.select(staffColumns).from(staffMembers).where(eq(staffMembers.id, sql.placeholder('id'))).prepare('kith_staff_by_id'),
    client: db.select(clientColumns).from(serviceClients).where(eq(serviceClients.clientId, sql.placeholder('clientId'))).prepare('kith_client_by_client_id'),
    countFailure: prepareFailureCount(
      db,
      { table: staffMembers, failedAttempts: staffMembers.failedAttempts, lockouts: staffMembers.lockouts, lockedUntil: staffMembers.lockedUntil },
      { where: sql`${staffMembers.id} = ${sql.placeholder('id')}::uuid`, returning: sql`${staffMembers.passwordHash} as hash` },
      'kith_staff_password_failure',
    ),
  };
}

/** `announced` runs after a write that can end a token (see src/store/principal-changes.ts). */
export function createStaffStore(db: Db, prepared?: ReturnType<typeof preparePrincipalReads>, announced: PrincipalWritten = () => {}): StaffStore {
  return {
    async countFailure(id, policy, now) {
      const [row] = await (prepared ?? preparePrincipalReads(db)).countFailure.execute(policy, now, { id });
      return row ? String(row.hash) : null;
    },
    async insert({ totpEnabled: _, ...member }, passwordHash) {
      const rows = await db.insert(staffMembers).values({ ...member, passwordHash }).onConflictDoNothing().returning({ id: staffMembers.id });
      return rows.length === 1;
    },
    async findById(id) {
      const [row] = prepared
        ? await prepared.staff.execute({ id })
        : await db.select(staffColumns).from(staffMembers).where(eq(staffMembers.id, id));
      return row ? asStaff(row) : null;
    },
    async findByEmail(email) {
      const [row] = await db.select(staffColumns).from(staffMembers).where(eq(sql`lower(${staffMembers.email})`, email.toLowerCase()));
      return row ? asStaff(row) : null;
    },
    async list() {
      return (await db.select(staffColumns).from(staffMembers).orderBy(asc(staffMembers.createdAt), asc(staffMembers.id))).map(asStaff);
    },
    async countActiveAdmins(exceptId) {
      const [row] = await db
        .select({ n: count() })
        .from(staffMembers)
        .where(and(eq(staffMembers.role, 'ADMIN'), isNull(staffMembers.disabledAt), exceptId ? ne(staffMembers.id, exceptId) : undefined));
      return row?.n ?? 0;
    },
    async saveLockout(id, state) {
      await db.update(staffMembers).set(state).where(eq(staffMembers.id, id));
    },
    async update(id, { bumpTokenVersion, ...changes }, at) {
      const version = bumpTokenVersion ? { tokenVersion: sql`${staffMembers.tokenVersion} + 1` } : {};
      const [row] = await db.update(staffMembers).set({ ...changes, ...version, updatedAt: at }).where(eq(staffMembers.id, id)).returning(staffColumns);
      if (row) await announced();
      return row ? asStaff(row) : null;
    },
    async setPassword(id, passwordHash, at) {
      const [row] = await db
        .update(staffMembers)
        .set({ passwordHash, failedAttempts: 0, lockouts: 0, lockedUntil: null, tokenVersion: sql`${staffMembers.tokenVersion} + 1`, updatedAt: at })
        .where(eq(staffMembers.id, id))
        .returning(staffColumns);
      if (row) await announced();
      return row ? asStaff(row) : null;
    },
    async lockAll() {
      // A transaction-scoped advisory lock: concurrent role changes cannot both remove "another" admin.
      await db.execute(sql`select pg_advisory_xact_lock(hashtext('kith_staff_admins'))`);
    },
    async lockTotp(id) {
      const [row] = await db
        .select({
          sealedSecret: staffMembers.totpSealedSecret,
          confirmedAt: staffMembers.totpConfirmedAt,
          lastStep: staffMembers.totpLastStep,
          failedAttempts: staffMembers.totpFailedAttempts,
          lockouts: staffMembers.totpLockouts,
          lockedUntil: staffMembers.totpLockedUntil,
        })
        .from(staffMembers)
        .where(eq(staffMembers.id, id))
        .for('update');
      if (!row?.sealedSecret) return null;
      const { sealedSecret, confirmedAt, ...state } = row;
      return { sealedSecret, confirmed: confirmedAt !== null, ...state };
    },
    async savePendingTotp(id, sealedSecret, at) {
      // One statement: a concurrent confirmation either commits first (and nothing is written) or waits.
      const rows = await db
        .update(staffMembers)
        .set({ ...noTotp, totpSealedSecret: sealedSecret, updatedAt: at })
        .where(and(eq(staffMembers.id, id), isNull(staffMembers.totpConfirmedAt)))
        .returning({ id: staffMembers.id });
      return rows.length > 0;
    },
    async saveTotpState(id, state, at) {
      await db
        .update(staffMembers)
        .set({
          totpLastStep: state.lastStep,
          totpFailedAttempts: state.failedAttempts,
          totpLockouts: state.lockouts,
          totpLockedUntil: state.lockedUntil,
          totpConfirmedAt: state.confirmed ? sql`coalesce(${staffMembers.totpConfirmedAt}, ${at.toISOString()}::timestamptz)` : null,
          updatedAt: at,
        })
        .where(eq(staffMembers.id, id));
    },
    async removeTotp(id, at) {
      const [row] = await db
        .update(staffMembers)
        .set({ ...noTotp, tokenVersion: sql`${staffMembers.tokenVersion} + 1`, updatedAt: at })
        .where(and(eq(staffMembers.id, id), isNotNull(staffMembers.totpSealedSecret)))
        .returning(staffColumns);
      if (row) await announced();
      return row ? asStaff(row) : null;
    },
  };
}

export function createServiceClientStore(db: Db, prepared?: ReturnType<typeof preparePrincipalReads>, announced: PrincipalWritten = () => {}): ServiceClientStore {
  return {
    async insert(client, secretHash) {
      await db.insert(serviceClients).values({ ...client, secretHash });
    },
    async findById(id) {
      const [row] = await db.select(clientColumns).from(serviceClients).where(eq(serviceClients.id, id));
      return row ? asClient(row) : null;
    },
    async findByClientId(clientId) {
      const [row] = prepared
        ? await prepared.client.execute({ clientId })
        : await db.select(clientColumns).from(serviceClients).where(eq(serviceClients.clientId, clientId));
      return row ? asClient(row) : null;
    },
    async findForAuthentication(clientId) {
      const [row] = await db.select({ ...clientColumns, secretHash: serviceClients.secretHash }).from(serviceClients).where(eq(serviceClients.clientId, clientId));
      if (!row) return null;
      const { secretHash, ...client } = row;
      return { client: asClient(client), secretHash };
    },
    async list() {
      return (await db.select(clientColumns).from(serviceClients).orderBy(asc(serviceClients.createdAt), asc(serviceClients.id))).map(asClient);
    },
    async update(id, { bumpTokenVersion, ...changes }, at) {
      const version = bumpTokenVersion ? { tokenVersion: sql`${serviceClients.tokenVersion} + 1` } : {};
      const [row] = await db.update(serviceClients).set({ ...changes, ...version, updatedAt: at }).where(eq(serviceClients.id, id)).returning(clientColumns);
      if (row) await announced();
      return row ? asClient(row) : null;
    },
  };
}
