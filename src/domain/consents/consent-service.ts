import { type Actor, actorLabel } from '../actor.js';
import type { Clock } from '../clock.js';
import type { Customer } from '../customers/customer.js';
import { conflict, notFound } from '../errors.js';
import type { Stores, UnitOfWork } from '../stores.js';
import type { Consent, ConsentSource, ConsentStatus } from './consent.js';
import { planConsents, recordStep, requirePurposes } from './consent-rules.js';

export interface ConsentChange {
  customerId: string;
  purpose: string;
  source?: ConsentSource | null;
}

export type ConsentService = ReturnType<typeof createConsentService>;

/** Grants and withdrawals. Each bumps the customer's version and appends to the history and the change log. */
export function createConsentService(deps: { uow: UnitOfWork; clock: Clock }) {
  const { uow, clock } = deps;

  async function decide(change: ConsentChange, status: ConsentStatus, actor: Actor): Promise<{ consent: Consent; customer: Customer }> {
    const [purpose] = requirePurposes(await uow.read.catalog.listPurposes(), [change.purpose], 'purpose');
    return uow.transaction(async (tx: Stores) => {
      const customer = await tx.customers.lockById(change.customerId);
      if (!customer) throw notFound(`No customer has id ${change.customerId}.`);
      if (customer.status === 'DELETED') throw conflict('This account was deleted.');
      const at = clock.now();
      const current = await tx.consents.findCurrent([customer.id]);
      const { changes, events } = planConsents(current, {
        customerId: customer.id,
        purposes: [purpose!],
        status,
        // A customer deciding for themselves does so in an app, whatever the request says.
        source: actor.kind === 'customer' ? 'APP' : (change.source ?? 'API'),
        actor: actorLabel(actor),
        at,
      });
      let stored = customer;
      if (events.length > 0) {
        const updated = await tx.customers.update(customer.id, customer.version, {}, at);
        if (!updated) throw new Error('locked customer changed under its lock');
        stored = updated;
        await recordStep(tx, changes, events);
      }
      const consent = (await tx.consents.findCurrent([customer.id])).find((c) => c.purpose.key === purpose!.key);
      if (!consent) throw new Error('consent missing after it was recorded');
      return { consent, customer: stored };
    });
  }

  return {
    grant: (change: ConsentChange, actor: Actor) => decide(change, 'GRANTED', actor),
    withdraw: (change: ConsentChange, actor: Actor) => decide(change, 'WITHDRAWN', actor),
    findCurrent: (customerIds: readonly string[]) => uow.read.consents.findCurrent(customerIds),
    findHistory: (customerIds: readonly string[]) => uow.read.consents.findHistory(customerIds),
  };
}
