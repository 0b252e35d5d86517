import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { afterFailure, DEFAULT_LOCKOUT, isLocked, type LockoutPolicy, type LockoutState } from '../../src/domain/sessions/lockout.js';
import { createUnitOfWork } from '../../src/store/unit-of-work.js';
import { credentials, customers, staffMembers } from '../../src/store/tables/index.js';
import { testDatabase } from '../support/kith.js';

/**
 * The stores count a failed attempt in SQL (src/store/password-lockout.ts), so that concurrent attempts
 * count one after another; these tests hold that SQL to the rule in plain TypeScript, afterFailure.
 */
const start = new Date('2026-03-01T10:00:00.000Z');

async function customerWithPassword(status = 'REGISTERED') {
  const { db } = await testDatabase();
  const id = randomUUID();
  const email = `Lockout-${id}@Example.com`;
  await db.insert(customers).values({ id, status, email, createdAt: start, updatedAt: start });
  await db.insert(credentials).values({ id: randomUUID(), customerId: id, kind: 'password', secretHash: `hash-${id}`, createdAt: start, updatedAt: start });
  const state = async (): Promise<LockoutState> => {
    const [row] = await db.select().from(credentials).where(eq(credentials.customerId, id));
    return { failedAttempts: row!.failedAttempts, lockouts: row!.lockouts, lockedUntil: row!.lockedUntil };
  };
  return { id, email, hash: `hash-${id}`, state };
}

const stores = async () => createUnitOfWork(await testDatabase()).read;

describe('counting failed attempts in the store', () => {
  it('moves the state exactly as afterFailure does, through locks that double up to the cap, and refuses while locked', async () => {
    const { id, hash, state } = await customerWithPassword();
    const { credentials: store } = await stores();
    const policy: LockoutPolicy = { maxAttempts: 3, baseLockSeconds: 60, maxLockSeconds: 400 };
    let expected: LockoutState = { failedAttempts: 0, lockouts: 0, lockedUntil: null };
    let at = start;
    for (let attempt = 0; attempt < 16; attempt += 1) {
      const counted = await store.countFailure(id, policy, at);
      if (isLocked(expected, at)) {
        expect(counted).toBeNull();
      } else {
        expect(counted).toBe(hash);
        expected = afterFailure(expected, policy, at);
      }
      expect(await state()).toEqual(expected);
      // Half the attempts land while locked, half after the lock ran out.
      at = new Date(at.getTime() + (attempt % 2 === 0 ? 1_000 : 401_000));
    }
    expect(expected.lockouts).toBeGreaterThanOrEqual(4);
  });

  it('finds the account by email in any case, only when REGISTERED, and counts there too', async () => {
    const { id, email, hash, state } = await customerWithPassword();
    const { credentials: store } = await stores();
    expect(await store.countSignInFailure(email.toUpperCase(), DEFAULT_LOCKOUT, start)).toEqual({ customerId: id, hash });
    expect(await state()).toEqual({ failedAttempts: 1, lockouts: 0, lockedUntil: null });
    const disabled = await customerWithPassword('DISABLED');
    expect(await store.countSignInFailure(disabled.email, DEFAULT_LOCKOUT, start)).toBeNull();
    expect(await disabled.state()).toEqual({ failedAttempts: 0, lockouts: 0, lockedUntil: null });
    expect(await store.countSignInFailure(`nobody-${id}@example.com`, DEFAULT_LOCKOUT, start)).toBeNull();
  });

  it('counts concurrent attempts one after another: exactly maxAttempts of a burst get the hash', async () => {
    const { id, hash, state } = await customerWithPassword();
    const { credentials: store } = await stores();
    const burst = await Promise.all(Array.from({ length: 12 }, () => store.countFailure(id, DEFAULT_LOCKOUT, start)));
    expect(burst.filter((counted) => counted === hash)).toHaveLength(DEFAULT_LOCKOUT.maxAttempts);
    expect(await state()).toMatchObject({ failedAttempts: 0, lockouts: 1 });
  });

  it('counts staff members by the same rule', async () => {
    const { db } = await testDatabase();
    const { staff } = await stores();
    const id = randomUUID();
    await db.insert(staffMembers).values({ id, email: `staff-${id}@example.com`, name: 'Lockout', role: 'AGENT', passwordHash: 'staff-hash', createdAt: start, updatedAt: start });
    const policy: LockoutPolicy = { maxAttempts: 2, baseLockSeconds: 30, maxLockSeconds: 3600 };
    expect(await staff.countFailure(id, policy, start)).toBe('staff-hash');
    expect(await staff.countFailure(id, policy, start)).toBe('staff-hash');
    expect(await staff.countFailure(id, policy, start)).toBeNull();
    const [row] = await db.select().from(staffMembers).where(eq(staffMembers.id, id));
    expect(row).toMatchObject({ failedAttempts: 0, lockouts: 1, lockedUntil: new Date(start.getTime() + 30_000) });
  });
});
