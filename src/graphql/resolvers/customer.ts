import { attributeList, attributeOf } from '../../domain/customers/profile.js';
import { checkId } from '../../domain/input-bounds.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { customerCursor, parseCustomerCursor } from '../cursors.js';
import { forgetCustomer } from '../loaders.js';
import { selectsPath } from '../lookahead.js';
import { authenticationOf } from './step-up.js';

export const customerResolvers: Resolvers = {
  Query: {
    customer: (_, { id }, { loaders }, info) =>
      (selectsPath(info, ['consents']) ? loaders.customerWithConsents : loaders.customer).load(checkId(id, 'id')),
    customers: async (_, { filter, first, after }, { services, loaders }, info) => {
      const withConsents = selectsPath(info, ['edges', 'node', 'consents']);
      const page = await services.customerSearch.search(filter, first, parseCustomerCursor(after), { withConsents });
      for (const customer of page.customers) loaders.customer.prime(customer.id, customer);
      for (const [id, consents] of page.consents ?? []) loaders.consents.prime(id, consents);
      const edges = page.customers.map((node) => ({ node, cursor: customerCursor(node) }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  },
  Mutation: {
    capture: async (_, { input }, { services, actor, loaders }) => {
      const result = await services.customers.capture(input, actor);
      return { ...result, customer: forgetCustomer(loaders, result.customer) };
    },
    register: async (_, { input }, { services, actor, loaders }) => {
      const result = await services.customers.register(input, actor);
      return { ...result, customer: forgetCustomer(loaders, result.customer) };
    },
    updateProfile: async (_, { input }, { services, actor, loaders }) => ({
      customer: forgetCustomer(
        loaders,
        await services.customers.updateProfile({ ...input, customerId: checkId(input.customerId, 'customerId') }, actor),
      ),
    }),
    changeEmail: async (_, { input }, { viewer, services, actor, loaders }) => ({
      customer: forgetCustomer(loaders, await services.emailChange.change(authenticationOf(viewer), input.newEmail, actor)),
    }),
    disableCustomer: async (_, { id }, { services, actor, loaders }) => ({
      customer: forgetCustomer(loaders, await services.customers.setEnabled(checkId(id, 'id'), false, actor)),
    }),
    enableCustomer: async (_, { id }, { services, actor, loaders }) => ({
      customer: forgetCustomer(loaders, await services.customers.setEnabled(checkId(id, 'id'), true, actor)),
    }),
  },
  Customer: {
    attributes: (customer) => attributeList(customer),
    attribute: (customer, { name }) => attributeOf(customer, name),
    consents: (customer, _, { loaders }) => loaders.consents.load(customer.id),
    consentHistory: (customer, _, { loaders }) => loaders.consentHistory.load(customer.id),
  },
};
