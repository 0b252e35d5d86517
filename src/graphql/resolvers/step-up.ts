import type { Viewer } from '../../auth/viewer.js';
import { badInput, unauthenticated } from '../../domain/errors.js';
import type { Authentication } from '../../domain/sessions/step-up.js';
import type { Resolvers, StepUpInput } from '../__generated__/resolvers-types.js';

/** The signed-in customer's proof, as the access token states it; shield lets only customers get here. */
export function authenticationOf(viewer: Viewer): Authentication {
  if (viewer.role !== 'CUSTOMER') throw unauthenticated('Sign in as a customer first.');
  return viewer;
}

/** The one proof a StepUpInput carries: exactly one of its fields must be set. */
export function chooseProof(input: StepUpInput): { method: 'password'; value: string } | { method: 'passkey'; value: Record<string, unknown> } {
  const given = Object.entries(input).filter(([, value]) => value !== null && value !== undefined);
  if (given.length !== 1) throw badInput('Give exactly one proof: password or passkey.', 'input');
  const [method, value] = given[0]!;
  switch (method) {
    case 'password':
      return { method, value: value as string };
    case 'passkey':
      return { method, value: value as Record<string, unknown> };
    default:
      throw badInput(`Unknown proof ${method}.`, 'input');
  }
}

export const stepUpResolvers: Resolvers = {
  Mutation: {
    stepUp: async (_, { input }, { viewer, services }) => {
      const auth = authenticationOf(viewer);
      const proof = chooseProof(input);
      const { accessToken, expiresIn, session } =
        proof.method === 'passkey' ? await services.passkeys.stepUp(auth, proof.value) : await services.sessions.stepUpWithPassword(auth, proof.value);
      return {
        accessToken,
        tokenType: 'Bearer',
        expiresIn,
        acr: session.acr,
        authenticationMethods: session.amr,
        authenticatedAt: session.authTime,
      };
    },
    changePassword: async (_, { input }, { viewer, services, actor }) => {
      await services.passwords.change(authenticationOf(viewer), input.newPassword, actor);
      return true;
    },
  },
  Customer: {
    stepUpMethods: (customer, _, { services }) => services.stepUp.methodsOf(customer.id),
  },
};
