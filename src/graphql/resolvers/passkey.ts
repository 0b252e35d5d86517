import type { Resolvers } from '../__generated__/resolvers-types.js';
import { authenticationOf } from './step-up.js';

export const passkeyResolvers: Resolvers = {
  Mutation: {
    startPasskeyRegistration: (_, __, { viewer, services }) => services.passkeys.startRegistration(authenticationOf(viewer)),
    finishPasskeyRegistration: (_, { input }, { viewer, services, actor }) =>
      services.passkeys.finishRegistration(authenticationOf(viewer), input.response, input.name, actor),
    startPasskeyStepUp: (_, __, { viewer, services }) => services.passkeys.startStepUp(authenticationOf(viewer)),
    renamePasskey: (_, { id, name }, { viewer, services, actor }) => services.passkeys.rename(authenticationOf(viewer), id, name, actor),
    removePasskey: async (_, { id }, { viewer, services, actor }) => {
      await services.passkeys.remove(authenticationOf(viewer), id, actor);
      return true;
    },
  },
  Customer: {
    passkeys: (customer, _, { services }) => services.passkeys.list(customer.id),
  },
};
