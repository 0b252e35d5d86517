import { attributeList, attributeOf } from '../../domain/customers/profile.js';
import { checkId } from '../../domain/input-bounds.js';
import { hasGranted } from '../../domain/consents/consent-rules.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { customerCursor, parseCustomerCursor } from '../cursors.js';
import { forgetCustomer } from '../loaders.js';
import { selectsPath } from '../lookahead.js';
import { authenticationOf } from './step-up.js';

export const customerResolvers: Resolvers = {
  Query: {
    customer: async (_, { id }, { loaders, viewer }, info) => {
      const customer = await (selectsPath(info, ['consents']) ? loaders.customerWithConsents : loaders.customer).load(checkId(id, 'id'));
      // A service client sees nothing of a customer who has not granted its purpose, not even that they exist.
      if (customer && viewer.role === 'SERVICE_CLIENT' && !hasGranted(await loaders.consents.load(customer.id), viewer.purposeKey)) return null;
      return customer;
    },
    customers: async (_, { filter, first, after }, { services, loaders, viewer }, info) => {
      const withConsents = selectsPath(info, ['edges', 'node', 'consents']);
      // A service client's search: only customers who granted its purpose; nobody when it has none.
      const purpose = viewer.role === 'SERVICE_CLIENT' ? viewer.purposeKey : undefined;
      if (purpose === null) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
      const scope = purpose === undefined ? {} : { grantedPurpose: purpose };
      const page = await services.customerSearch.search(filter, first, parseCustomerCursor(after), { withConsents, ...scope });
      for (const customer of page.customers) loaders.customer.prime(customer.id, customer);
      for (const [id, consents] of page.consents ?? []) loaders.consents.prime(id, consents);
      const edges = page.customers.map((node) => ({ node, cursor: customerCursor(node) }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  },
  Mutation: {
    capture: async (_, { input }, { services, actor, loaders, request }) => {
      const result = await services.customers.capture({ ...input, ip: request.ip }, actor);
      return { ...result, customer: forgetCustomer(loaders, result.customer) };
    },
    register: async (_, { input }, { services, actor, loaders, request }) => {
      const result = await services.customers.register({ ...input, ip: request.ip }, actor);
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
    crm: (customer, _, { loaders }) => loaders.crm.load(customer),
  },
};
