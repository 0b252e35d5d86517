import { type Actor, actorLabel } from '../actor.js';
import type { Clock } from '../clock.js';
import { conflict } from '../errors.js';
import { afterSuccess } from '../sessions/lockout.js';
import type { Authentication, StepUpGuard } from '../sessions/step-up.js';
import type { UnitOfWork } from '../stores.js';
import type { PasswordHasher } from './credential-store.js';
import type { PasswordPolicy } from './password-policy.js';

export type PasswordService = ReturnType<typeof createPasswordService>;

/** A signed-in customer's password change: a sensitive action, so it needs a recent step-up. */
export function createPasswordService(deps: {
  uow: UnitOfWork;
  clock: Clock;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  stepUp: StepUpGuard;
}) {
  const { uow, clock } = deps;
  return {
    /**
     * Lifts a customer's sign-in lockout (support, after checking who they are another way); false when the
     * customer has no password. Recorded in the change log.
     */
    async unlock(customerId: string, actor: Actor): Promise<boolean> {
      return uow.transaction(async (tx) => {
        const state = await tx.credentials.lockPassword(customerId);
        if (!state) return false;
        const at = clock.now();
        await tx.credentials.saveLockout(customerId, afterSuccess());
        await tx.events.append([{ customerId, type: 'customer.updated', changedFields: ['credentials.lockout'], actor: actorLabel(actor), occurredAt: at }]);
        return true;
      });
    },

    /**
     * Replaces the password, clears any lockout and ends every other session of the customer (a thief
     * holding one loses it); the session that asked stays signed in.
     */
    async change(auth: Authentication, newPassword: string, actor: Actor): Promise<void> {
      await deps.stepUp.require(auth);
      const [customer] = await uow.read.customers.findByIds([auth.customerId]);
      if (!customer || customer.status !== 'REGISTERED' || customer.email === null) throw conflict('Only an active registered account has a password to change.');
      deps.policy.check(newPassword, { email: customer.email });
      // Hash outside the transaction: argon2 takes tens of milliseconds and must not hold a row lock.
      const hash = await deps.hasher.hash(newPassword.normalize('NFKC'));
      await uow.transaction(async (tx) => {
        const at = clock.now();
        await tx.credentials.setPassword(customer.id, hash, at);
        await tx.credentials.saveLockout(customer.id, afterSuccess());
        // A recovery code mailed before the change would undo it.
        await tx.credentials.useRecoveryCodes(customer.id, at);
        await tx.sessions.revokeAllOf(customer.id, 'password_changed', at, auth.sessionId);
        await tx.events.append([
          { customerId: customer.id, type: 'customer.updated', changedFields: ['credentials.password'], actor: actorLabel(actor), occurredAt: at },
        ]);
      });
    },
  };
}
