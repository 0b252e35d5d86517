import { type SQL, sql } from 'drizzle-orm';
import { PgDialect, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { LockoutPolicy } from '../domain/sessions/lockout.js';
import { type Db, executedRows } from './database.js';

/** Where a table keeps a password's lockout state. */
export interface LockoutColumns {
  table: PgTable;
  failedAttempts: PgColumn;
  lockouts: PgColumn;
  lockedUntil: PgColumn;
}

/** Doublings of the lock counted at most: beyond them every lock is maxLockSeconds anyway (and 2^n stays finite). */
const MAX_DOUBLINGS = 60;

const dialect = new PgDialect();
const param = (name: string) => sql.placeholder(name);

/**
 * One failed attempt counted, as an UPDATE's SET list: afterFailure's rule (src/domain/sessions/lockout.ts)
 * in SQL, so that each of several concurrent attempts counts on the state the one before it left (the row
 * lock orders them, and PostgreSQL re-reads the row for each). test/store/password-lockout.test.ts checks
 * that both give the same states. Reads the placeholders maxAttempts, baseLockSeconds, maxLockSeconds, now.
 */
function failureCounted({ failedAttempts: failed, lockouts, lockedUntil }: LockoutColumns): SQL {
  const reachesLimit = sql`${failed} + 1 >= ${param('maxAttempts')}::integer`;
  const lockSeconds = sql`least(${param('baseLockSeconds')}::float8 * power(2::float8, least(${lockouts}, ${MAX_DOUBLINGS})), ${param('maxLockSeconds')}::float8)`;
  return sql`${sql.identifier(failed.name)} = case when ${reachesLimit} then 0 else ${failed} + 1 end,
    ${sql.identifier(lockouts.name)} = case when ${reachesLimit} then ${lockouts} + 1 else ${lockouts} end,
    ${sql.identifier(lockedUntil.name)} = case when ${reachesLimit}
      then ${param('now')}::timestamptz + ${lockSeconds} * interval '1 second' else ${lockedUntil} end`;
}

/** The placeholders' values of failureCounted and of the lock check. */
const policyValues = (policy: LockoutPolicy, now: Date) => ({
  maxAttempts: policy.maxAttempts,
  baseLockSeconds: policy.baseLockSeconds,
  maxLockSeconds: policy.maxLockSeconds,
  now: now.toISOString(),
});

/**
 * A prepared UPDATE that counts a failed attempt on the rows `where` picks (joined with `from`, if given)
 * whose password is not locked at `now`, and answers `returning` of each row it counted. Every value is a
 * placeholder, so the text is the same for every attempt and each connection prepares it once.
 */
export function prepareFailureCount(db: Db, columns: LockoutColumns, parts: { from?: SQL; where: SQL; returning: SQL }, name: string) {
  const { lockedUntil } = columns;
  const query = sql`update ${columns.table} set ${failureCounted(columns)}
    ${parts.from ? sql`from ${parts.from}` : sql``}
    where ${parts.where} and (${lockedUntil} is null or ${lockedUntil} <= ${param('now')}::timestamptz)
    returning ${parts.returning}`;
  const prepared = db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false);
  return {
    /** The rows counted: none when the password is locked or there is none. */
    async execute(policy: LockoutPolicy, now: Date, values: Record<string, unknown>): Promise<Record<string, unknown>[]> {
      return executedRows(await prepared.execute({ ...values, ...policyValues(policy, now) }));
    },
  };
}
