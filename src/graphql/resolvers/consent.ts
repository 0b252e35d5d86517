import { checkId } from '../../domain/input-bounds.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';

export const consentResolvers: Resolvers = {
  Mutation: {
    grantConsent: (_, { input }, { services, actor }) =>
      services.consents.grant({ ...input, customerId: checkId(input.customerId, 'customerId') }, actor),
    withdrawConsent: (_, { input }, { services, actor }) =>
      services.consents.withdraw({ ...input, customerId: checkId(input.customerId, 'customerId') }, actor),
  },
};
