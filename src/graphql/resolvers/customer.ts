import { attributeList, attributeOf } from '../../domain/customers/profile.js';
import { checkId } from '../../domain/input-bounds.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { customerCursor, parseCustomerCursor } from '../cursors.js';

export const customerResolvers: Resolvers = {
  Query: {
    customer: (_, { id }, { loaders }) => loaders.customer.load(checkId(id, 'id')),
    customers: async (_, { filter, first, after }, { services, loaders }) => {
      const page = await services.customerSearch.search(filter, first, parseCustomerCursor(after));
      for (const customer of page.customers) loaders.customer.prime(customer.id, customer);
      const edges = page.customers.map((node) => ({ node, cursor: customerCursor(node) }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  },
  Mutation: {
    capture: (_, { input }, { services, actor }) => services.customers.capture(input, actor),
    register: (_, { input }, { services, actor }) => services.customers.register(input, actor),
    updateProfile: async (_, { input }, { services, actor }) => ({
      customer: await services.customers.updateProfile({ ...input, customerId: checkId(input.customerId, 'customerId') }, actor),
    }),
    disableCustomer: async (_, { id }, { services, actor }) => ({
      customer: await services.customers.setEnabled(checkId(id, 'id'), false, actor),
    }),
    enableCustomer: async (_, { id }, { services, actor }) => ({
      customer: await services.customers.setEnabled(checkId(id, 'id'), true, actor),
    }),
  },
  Customer: {
    attributes: (customer) => attributeList(customer),
    attribute: (customer, { name }) => attributeOf(customer, name),
    consents: (customer, _, { loaders }) => loaders.consents.load(customer.id),
    consentHistory: (customer, _, { loaders }) => loaders.consentHistory.load(customer.id),
  },
};
