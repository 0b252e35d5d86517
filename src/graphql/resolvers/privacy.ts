import { checkId } from '../../domain/input-bounds.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { forgetCustomer } from '../loaders.js';
import { authenticationOf } from './step-up.js';

export const privacyResolvers: Resolvers = {
  Mutation: {
    exportMyData: async (_, __, { viewer, services, actor }) => {
      const { generatedAt, document } = await services.dataExport.exportOwn(authenticationOf(viewer), actor);
      return { generatedAt, document: JSON.stringify(document) };
    },
    deleteMyAccount: async (_, __, { viewer, services, actor }) => {
      await services.erasure.deleteOwn(authenticationOf(viewer), actor);
      return true;
    },
    deleteCustomer: async (_, { id }, { services, actor, loaders }) => ({
      customer: forgetCustomer(loaders, await services.erasure.deleteById(checkId(id, 'id'), actor)),
    }),
  },
};
