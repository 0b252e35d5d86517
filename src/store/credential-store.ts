import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { CredentialStore } from '../domain/credentials/credential-store.js';
import type { Db } from './database.js';
import { prepareFailureCount } from './password-lockout.js';
import { credentials, customers } from './tables/index.js';

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
  };
}
