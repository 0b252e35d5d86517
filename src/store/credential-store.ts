import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { CredentialStore } from '../domain/credentials/credential-store.js';
import { type Db, executedRows } from './database.js';
import { prepareFailureCount } from './password-lockout.js';
import { credentials, customers, passwordRecoveryCodes } from './tables/index.js';

const isPassword = eq(credentials.kind, 'password');
const lockoutColumns = { table: credentials, failedAttempts: credentials.failedAttempts, lockouts: credentials.lockouts, lockedUntil: credentials.lockedUntil };

/** The sign-in path's statements, prepared once per database: it runs them on every attempt. */
export function prepareCredentialStatements(db: Db) {
  return {
    countFailure: prepareFailureCount(
      db,
      lockoutColumns,
      { where: sql`${credentials.customerId} = ${sql.placeholder('id')}::uuid and ${isPassword}`, returning: sql`${credentials.secretHash} as hash` },
      'kith_customer_password_failure',
    ),
    countSignInFailure: prepareFailureCount(
      db,
      lockoutColumns,
      {
        from: sql`${customers}`,
        where: sql`lower(${customers.email}) = lower(${sql.placeholder('email')}) and ${customers.status} = 'REGISTERED'
          and ${credentials.customerId} = ${customers.id} and ${isPassword}`,
        returning: sql`${customers.id} as customer_id, ${credentials.secretHash} as hash`,
      },
      'kith_sign_in_failure',
    ),
  };
}

export function createCredentialStore(db: Db, prepared?: ReturnType<typeof prepareCredentialStatements>): CredentialStore {
  let prepared_ = prepared;
  const statements = () => (prepared_ ??= prepareCredentialStatements(db));
  return {
    async countFailure(customerId, policy, now) {
      const [row] = await statements().countFailure.execute(policy, now, { id: customerId });
      return row ? String(row.hash) : null;
    },
    async countSignInFailure(email, policy, now) {
      const [row] = await statements().countSignInFailure.execute(policy, now, { email });
      return row ? { customerId: String(row.customer_id), hash: String(row.hash) } : null;
    },
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
    async createRecoveryCode(email, code) {
      const result = await db.execute(sql`
        with target as (
          select ${customers.id} as id, ${customers.email} as email, ${credentials.updatedAt} as password_set_at
          from ${customers} join ${credentials} on ${credentials.customerId} = ${customers.id} and ${isPassword}
          where lower(${customers.email}) = lower(${email}) and ${customers.status} = 'REGISTERED'
          -- A disabling under way holds the row: wait for it, and then find the account disabled.
          for share of ${customers}
        ), inserted as (
          insert into ${passwordRecoveryCodes} (id, customer_id, code_hash, sent_to, password_set_at, expires_at, created_at)
          select ${code.id}::uuid, id, ${code.codeHash}, email, password_set_at, ${code.expiresAt.toISOString()}::timestamptz, ${code.createdAt.toISOString()}::timestamptz
          from target
          returning customer_id
        ), stale as (
          -- The account's codes that can no longer work go as a new one comes, so its rows stay few.
          delete from ${passwordRecoveryCodes}
          where customer_id in (select id from target)
            and (used_at is not null or expires_at <= ${code.createdAt.toISOString()}::timestamptz)
        )
        select target.id as customer_id, target.email from target join inserted on inserted.customer_id = target.id`);
      const [row] = executedRows(result);
      return row ? { customerId: String(row.customer_id), email: String(row.email) } : null;
    },
    async findRecoveryCode(codeHash, at, lock = false) {
      const query = db
        .select({ customerId: passwordRecoveryCodes.customerId, email: customers.email })
        .from(passwordRecoveryCodes)
        .innerJoin(customers, eq(customers.id, passwordRecoveryCodes.customerId))
        .innerJoin(credentials, and(eq(credentials.customerId, customers.id), isPassword))
        .where(
          and(
            eq(passwordRecoveryCodes.codeHash, codeHash),
            isNull(passwordRecoveryCodes.usedAt),
            gt(passwordRecoveryCodes.expiresAt, at),
            eq(customers.status, 'REGISTERED'),
            // Mailed to the address the account has now, and the password is the one it had then.
            sql`lower(${customers.email}) = lower(${passwordRecoveryCodes.sentTo})`,
            eq(credentials.updatedAt, passwordRecoveryCodes.passwordSetAt),
          ),
        );
      const [row] = lock ? await query.for('update', { of: passwordRecoveryCodes }) : await query;
      return row && row.email !== null ? { customerId: row.customerId, email: row.email } : null;
    },
    async useRecoveryCodes(customerId, at) {
      await db
        .update(passwordRecoveryCodes)
        .set({ usedAt: at })
        .where(and(eq(passwordRecoveryCodes.customerId, customerId), isNull(passwordRecoveryCodes.usedAt)));
    },
  };
}
