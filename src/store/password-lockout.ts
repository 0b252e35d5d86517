import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { LockoutPolicy } from '../domain/sessions/lockout.js';
import { type Db, rawStatement } from './database.js';

/** Where a table keeps a password's lockout state. */
export interface LockoutColumns {
  table: PgTable;
  failedAttempts: PgColumn;
  lockouts: PgColumn;
  lockedUntil: PgColumn;
}

/** Doublings of the lock counted at most: beyond them every lock is maxLockSeconds anyway (and 2^n stays finite). */
const MAX_DOUBLINGS = 60;

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
  // The count commits without waiting for its WAL flush (set_config(..., true) lasts until this statement's
  // transaction ends): a crash of PostgreSQL can lose the counts of its last fraction of a second, as it
  // loses the rate-limit counters, and each attempt is spared an fsync. A success's session insert commits durably.
  const query = sql`update ${columns.table} set ${failureCounted(columns)}
    from (select set_config('synchronous_commit', 'off', true)) as relaxed_commit${parts.from ? sql`, ${parts.from}` : sql``}
    where ${parts.where} and (${lockedUntil} is null or ${lockedUntil} <= ${param('now')}::timestamptz)
    returning ${parts.returning}`;
  const prepared = rawStatement(db, query, name);
  return {
    /** The rows counted: none when the password is locked or there is none. */
    execute: (policy: LockoutPolicy, now: Date, values: Record<string, unknown>) => prepared.execute({ ...values, ...policyValues(policy, now) }),
  };
}
