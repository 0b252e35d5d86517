import { type Actor, actorLabel } from '../actor.js';
import type { Clock } from '../clock.js';
import type { ConsentSource } from '../consents/consent.js';
import { planConsents, recordStep } from '../consents/consent-rules.js';
import type { Customer } from '../customers/customer.js';
import { conflict, notFound } from '../errors.js';
import type { NewChangeEvent } from '../events/change-event.js';
import type { Authentication, StepUpGuard } from '../sessions/step-up.js';
import type { Stores, UnitOfWork } from '../stores.js';
import type { ErasedRecords } from './personal-data-store.js';

/** Names of what erasure cleared, for the change log's `changedFields`: only what the customer had. */
export function erasedFields(before: Customer, erased: Omit<ErasedRecords, 'customer'>): string[] {
  const fields = ['status'];
  if (before.email !== null) fields.push('email');
  for (const name of ['givenName', 'familyName', 'phoneNumber', 'locale'] as const) if (before[name] !== null) fields.push(name);
  for (const name of Object.keys(before.attributes)) fields.push(`attributes.${name}`);
  if (before.anonymousIds.length > 0) fields.push('anonymousIds');
  if (erased.password) fields.push('credentials.password');
  if (erased.totp) fields.push('credentials.totp');
  if (erased.recoveryCodes > 0) fields.push('credentials.recoveryCodes');
  if (erased.passkeys > 0) fields.push('credentials.passkey');
  if (erased.sessions > 0) fields.push('sessions');
  if (erased.scimRecord) fields.push('scim');
  return fields;
}

/**
 * Erases a customer in the caller's transaction, which holds the customer's row lock (GDPR art. 17): every
 * granted consent is withdrawn (the history keeps the grant and records the withdrawal, as proof of what the
 * customer agreed to and when), the personal data and credentials go (PersonalDataStore.erase), and the change
 * log gets the withdrawals and one customer.deleted event, which connectors turn into deletes. Returns the
 * tombstone.
 */
export async function eraseCustomer(tx: Stores, customer: Customer, decision: { actor: Actor; source: ConsentSource; at: Date }): Promise<Customer> {
  const actor = actorLabel(decision.actor);
  const current = await tx.consents.findCurrent([customer.id]);
  const granted = current.filter((consent) => consent.status === 'GRANTED').map((consent) => consent.purpose);
  const withdrawals = planConsents(current, { customerId: customer.id, purposes: granted, status: 'WITHDRAWN', source: decision.source, actor, at: decision.at });
  const { customer: tombstone, ...erased } = await tx.personalData.erase(customer.id, decision.at);
  const deleted: NewChangeEvent = { customerId: customer.id, type: 'customer.deleted', changedFields: erasedFields(customer, erased), actor, occurredAt: decision.at };
  await recordStep(tx, withdrawals.changes, [...withdrawals.events, deleted]);
  return tombstone;
}

export type AccountErasure = ReturnType<typeof createAccountErasure>;

/** Account deletion, by the customer themselves (a sensitive action) or by an administrator. */
export function createAccountErasure(deps: { uow: UnitOfWork; clock: Clock; stepUp: StepUpGuard }) {
  const { uow, clock } = deps;
  return {
    /** The signed-in customer deletes their own account; needs a recent step-up. Their tokens end with it. */
    async deleteOwn(auth: Authentication, actor: Actor): Promise<void> {
      await deps.stepUp.require(auth);
      await uow.transaction(async (tx) => {
        const customer = await tx.customers.lockById(auth.customerId);
        if (!customer || customer.status === 'DELETED') throw conflict('This account was deleted.');
        await eraseCustomer(tx, customer, { actor, source: 'APP', at: clock.now() });
      });
    },

    /**
     * Erases a customer by id, for an erasure request received another way. NOT_FOUND for an unknown id; a
     * customer already erased is returned as it is, so a repeated request is harmless.
     */
    async deleteById(customerId: string, actor: Actor): Promise<Customer> {
      return uow.transaction(async (tx) => {
        const customer = await tx.customers.lockById(customerId);
        if (!customer) throw notFound(`No customer has id ${customerId}.`);
        if (customer.status === 'DELETED' && customer.email === null) return customer;
        return eraseCustomer(tx, customer, { actor, source: 'SUPPORT', at: clock.now() });
      });
    },
  };
}
