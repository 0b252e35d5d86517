import DataLoader from 'dataloader';
import type { Consent, ConsentRecord } from '../domain/consents/consent.js';
import type { CrmProfile } from '../domain/crm/crm.js';
import type { Customer } from '../domain/customers/customer.js';
import type { Session } from '../domain/sessions/session.js';
import type { Services } from '../domain/services.js';

export type Loaders = ReturnType<typeof createLoaders>;

function groupBy<T>(ids: readonly string[], rows: readonly T[], key: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) groups.get(key(row))?.push(row);
  return ids.map((id) => groups.get(id)!);
}

/** Per-request batching: every edge of the graph is one statement per batch, never one per node. */
export function createLoaders(services: Services) {
  const consents = new DataLoader<string, Consent[]>(async (ids) =>
    groupBy(ids, await services.consents.findCurrent(ids), (c) => c.customerId),
  );
  return {
    customer: new DataLoader<string, Customer | null>(async (ids) => {
      const byId = new Map((await services.customers.findByIds(ids)).map((c) => [c.id, c]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** Customers whose consents the operation also reads: one statement for both, consents primed. */
    customerWithConsents: new DataLoader<string, Customer | null>(async (ids) => {
      const rows = await services.customers.findByIdsWithConsents(ids);
      for (const row of rows) consents.prime(row.customer.id, row.consents);
      const byId = new Map(rows.map((row) => [row.customer.id, row.customer]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    consents,
    consentHistory: new DataLoader<string, ConsentRecord[]>(async (ids) =>
      groupBy(ids, await services.consents.findHistory(ids), (r) => r.customerId),
    ),
    sessions: new DataLoader<string, Session[]>(async (ids) => groupBy(ids, await services.sessions.listActive(ids), (s) => s.customerId)),
    /** CRM profiles: a page of customers is one CRM call (CRM_UNAVAILABLE errors reject per customer). */
    crm: new DataLoader<Customer, CrmProfile | null, string>(
      (customers) => services.crm.readForCustomers(customers, async (ids) => (await consents.loadMany(ids)).map((c) => (c instanceof Error ? [] : c))),
      { cacheKeyFn: (customer) => customer.id },
    ),
  };
}

/**
 * After a write, what this request loaded about the customer is stale: the later fields of the same
 * operation (mutations run one after another) must read it again. The written customer is primed.
 */
export function forgetCustomer(loaders: Loaders, customer: Customer): Customer {
  loaders.customer.clear(customer.id).prime(customer.id, customer);
  loaders.customerWithConsents.clear(customer.id);
  loaders.consents.clear(customer.id);
  loaders.consentHistory.clear(customer.id);
  loaders.sessions.clear(customer.id);
  return customer;
}
