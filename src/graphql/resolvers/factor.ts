import type { Resolvers } from '../__generated__/resolvers-types.js';
import { authenticationOf, stepUpPayload } from './step-up.js';

export const factorResolvers: Resolvers = {
  Mutation: {
    enrollTotp: (_, __, { viewer, services }) => services.totp.enroll(authenticationOf(viewer)),
    confirmTotp: async (_, { code }, { viewer, services, actor }) => {
      const auth = authenticationOf(viewer);
      const recoveryCodes = await services.totp.confirm(auth, code, actor);
      // The first code proved the new factor, so the session steps up with it (acr mfa) right away.
      return { recoveryCodes, stepUp: stepUpPayload(await services.sessions.elevate(auth, 'totp')) };
    },
    removeTotp: async (_, __, { viewer, services, actor }) => {
      await services.totp.remove(authenticationOf(viewer), actor);
      return true;
    },
    regenerateRecoveryCodes: async (_, __, { viewer, services, actor }) => ({
      recoveryCodes: await services.recoveryCodes.regenerate(authenticationOf(viewer), actor),
    }),
  },
  Customer: {
    totpEnabled: async (customer, _, { services }) => (await services.secondFactors.summary(customer.id)).totpConfirmed,
    recoveryCodesRemaining: async (customer, _, { services }) => (await services.secondFactors.summary(customer.id)).recoveryCodesRemaining,
  },
};
