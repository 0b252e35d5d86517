import type { AttributeValue } from '../catalog/attribute.js';
import { isBuiltinAttribute } from '../catalog/attribute.js';
import { validateAttributeValue } from '../catalog/attribute-rules.js';
import type { Consent, ConsentStatus } from '../consents/consent.js';
import { requirePurposes } from '../consents/consent-rules.js';
import { badInput } from '../errors.js';
import { bounds, checkAnonymousId, checkListSize, pageSize } from '../input-bounds.js';
import type { UnitOfWork } from '../stores.js';
import type { Customer, CustomerStatus } from './customer.js';
import type { CustomerPosition, CustomerQuery } from './customer-store.js';
import { normaliseEmail } from './email.js';

export interface CustomerFilter {
  status?: readonly CustomerStatus[] | null;
  email?: string | null;
  anonymousId?: string | null;
  attributes?: readonly { name: string; equals: AttributeValue }[] | null;
  consents?: readonly { purpose: string; status: ConsentStatus }[] | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  updatedAfter?: Date | null;
  updatedBefore?: Date | null;
}

export const PAGE_SIZE = { default: 20, max: 100 } as const;

export type CustomerSearch = ReturnType<typeof createCustomerSearch>;

/** Pages through customers matching a filter, in (createdAt, id) order. */
export function createCustomerSearch(deps: { uow: UnitOfWork }) {
  const { uow } = deps;

  async function toQuery(filter: CustomerFilter): Promise<CustomerQuery> {
    const query: CustomerQuery = {};
    if (filter.status && filter.status.length > 0) query.statuses = [...new Set(filter.status)];
    if (filter.email != null) query.email = normaliseEmail(filter.email, 'filter.email');
    if (filter.anonymousId != null) query.anonymousId = checkAnonymousId(filter.anonymousId, 'filter.anonymousId');
    const attributes = checkListSize(filter.attributes, bounds.filterConditions, 'filter.attributes');
    if (attributes.length > 0) {
      const catalog = await uow.read.catalog.listAttributes();
      query.attributes = attributes.map(({ name, equals }) => {
        const field = `filter.attributes.${name}`;
        const def = catalog.find((d) => d.name === name);
        if (!def) throw badInput(`${field} is not in the attribute catalog.`, field);
        return { name, builtin: isBuiltinAttribute(name), value: validateAttributeValue(def, equals, field) };
      });
    }
    const consents = checkListSize(filter.consents, bounds.filterConditions, 'filter.consents');
    if (consents.length > 0) {
      requirePurposes(await uow.read.catalog.listPurposes(), consents.map((c) => c.purpose), 'filter.consents');
      query.consents = consents.map((c) => ({ purposeKey: c.purpose, status: c.status }));
    }
    for (const key of ['createdAfter', 'createdBefore', 'updatedAfter', 'updatedBefore'] as const) {
      const value = filter[key];
      if (value != null) query[key] = value;
    }
    return query;
  }

  return {
    /** One page; with `withConsents`, each customer's current consents come in the same statement. */
    async search(
      filter: CustomerFilter | null | undefined,
      first: number | null | undefined,
      after: CustomerPosition | null,
      options: { withConsents: boolean; grantedPurpose?: string } = { withConsents: false },
    ): Promise<{ customers: Customer[]; consents: Map<string, Consent[]> | null; hasNextPage: boolean }> {
      const limit = pageSize(first, PAGE_SIZE);
      const query = await toQuery(filter ?? {});
      // A service client's own purpose, added after the caller's conditions were checked against their bound.
      if (options.grantedPurpose !== undefined) query.consents = [...(query.consents ?? []), { purposeKey: options.grantedPurpose, status: 'GRANTED' }];
      if (options.withConsents) {
        const rows = await uow.read.customers.searchWithConsents(query, after, limit + 1);
        const page = rows.slice(0, limit);
        return {
          customers: page.map((row) => row.customer),
          consents: new Map(page.map((row) => [row.customer.id, row.consents])),
          hasNextPage: rows.length > limit,
        };
      }
      const rows = await uow.read.customers.search(query, after, limit + 1);
      return { customers: rows.slice(0, limit), consents: null, hasNextPage: rows.length > limit };
    },
  };
}
