import type { ConsentChange } from '../../domain/consents/consent-service.js';
import { checkId } from '../../domain/input-bounds.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { forgetCustomer } from '../loaders.js';

const change = (input: ConsentChange): ConsentChange => ({ ...input, customerId: checkId(input.customerId, 'customerId') });

export const consentResolvers: Resolvers = {
  Mutation: {
    grantConsent: async (_, { input }, { services, actor, loaders }) => {
      const result = await services.consents.grant(change(input), actor);
      return { ...result, customer: forgetCustomer(loaders, result.customer) };
    },
    withdrawConsent: async (_, { input }, { services, actor, loaders }) => {
      const result = await services.consents.withdraw(change(input), actor);
      return { ...result, customer: forgetCustomer(loaders, result.customer) };
    },
  },
};
