import { type Actor, actorLabel } from '../actor.js';
import type { NewChangeEvent } from '../events/change-event.js';
import type { SecondFactor, SecondFactorSource } from '../sessions/step-up.js';
import type { UnitOfWork } from '../stores.js';

export type SecondFactors = ReturnType<typeof createSecondFactors>;

/** What a customer has enrolled, for step-up and for the customer's own view of their account. */
export function createSecondFactors(uow: UnitOfWork) {
  const summary = (customerId: string) => uow.read.factors.summary(customerId);
  /** `totp` once confirmed, `recovery_code` while unused codes remain. */
  const source: SecondFactorSource = async (customerId) => {
    const { totpConfirmed, recoveryCodesRemaining } = await summary(customerId);
    const factors: SecondFactor[] = [];
    if (totpConfirmed) factors.push('totp');
    if (recoveryCodesRemaining > 0) factors.push('recovery_code');
    return factors;
  };
  return { summary, source };
}

/** The change-log entry of a change to a customer's factors: the names of what changed, never a value. */
export function credentialsChanged(customerId: string, changedFields: string[], actor: Actor, at: Date): NewChangeEvent {
  return { customerId, type: 'customer.updated', changedFields, actor: actorLabel(actor), occurredAt: at };
}
