import { type Actor, actorLabel } from '../actor.js';
import type { Clock } from '../clock.js';
import { conflict } from '../errors.js';
import type { Authentication, StepUpGuard } from '../sessions/step-up.js';
import type { UnitOfWork } from '../stores.js';
import type { Customer } from './customer.js';
import { normaliseEmail } from './email.js';

export type EmailChange = ReturnType<typeof createEmailChange>;

const taken = () => conflict('Another account uses this email.', 'newEmail');

/** A signed-in customer's change of email: a sensitive action, so it needs a recent step-up. */
export function createEmailChange(deps: { uow: UnitOfWork; clock: Clock; stepUp: StepUpGuard }) {
  const { uow, clock } = deps;
  return {
    /**
     * Sets a new email, unverified until proven. CONFLICT when another account (of any status) has it, in
     * any case; the unique index on lower(email) settles a race between two accounts taking one address.
     * Sessions stay: the customer proved who they are just before.
     */
    async change(auth: Authentication, newEmail: string, actor: Actor): Promise<Customer> {
      await deps.stepUp.require(auth);
      const email = normaliseEmail(newEmail, 'newEmail');
      return uow.transaction(async (tx) => {
        const customer = await tx.customers.lockById(auth.customerId);
        if (!customer || customer.status !== 'REGISTERED') throw conflict('Only an active registered account can change its email.');
        const [holder] = await tx.customers.findByEmail(email);
        if (holder && holder.id !== customer.id) throw taken();
        if (customer.email === email) return customer;
        const at = clock.now();
        const updated = await tx.customers.update(customer.id, customer.version, { email, emailVerified: false }, at);
        if (!updated) throw new Error('locked customer changed under its lock');
        // Codes mailed to the old address stop working, even if the account takes that address back.
        await tx.credentials.useRecoveryCodes(customer.id, at);
        await tx.events.append([
          { customerId: customer.id, type: 'customer.updated', changedFields: ['email', 'emailVerified'], actor: actorLabel(actor), occurredAt: at },
        ]);
        return updated;
      });
    },
  };
}
