import type { Viewer } from '../../auth/viewer.js';
import { badInput, unauthenticated, unreachable } from '../../domain/errors.js';
import type { Session } from '../../domain/sessions/session.js';
import type { Authentication } from '../../domain/sessions/step-up.js';
import type { Resolvers, StepUpInput, StepUpPayload } from '../__generated__/resolvers-types.js';

/** The signed-in customer's proof, as the access token states it; shield lets only customers get here. */
export function authenticationOf(viewer: Viewer): Authentication {
  if (viewer.role !== 'CUSTOMER') throw unauthenticated('Sign in as a customer first.');
  return viewer;
}

type Proof = { method: 'password' | 'totp' | 'recoveryCode'; value: string } | { method: 'passkey'; value: Record<string, unknown> };

/** The one proof a StepUpInput carries: exactly one of its fields must be set. */
export function chooseProof(input: StepUpInput): Proof {
  const given = Object.entries(input).filter(([, value]) => value !== null && value !== undefined);
  if (given.length !== 1) throw badInput('Give exactly one proof: password, totp, recoveryCode or passkey.', 'input');
  const [method, value] = given[0]!;
  switch (method) {
    case 'password':
    case 'totp':
    case 'recoveryCode':
      return { method, value: value as string };
    case 'passkey':
      return { method, value: value as Record<string, unknown> };
    default:
      throw badInput(`Unknown proof ${method}.`, 'input');
  }
}

/** A session's fresh access token and the proof it carries. */
export function stepUpPayload(result: { accessToken: string; expiresIn: number; session: Pick<Session, 'acr' | 'amr' | 'authTime'> }): StepUpPayload {
  const { accessToken, expiresIn, session } = result;
  return { accessToken, tokenType: 'Bearer', expiresIn, acr: session.acr, authenticationMethods: session.amr, authenticatedAt: session.authTime };
}

export const stepUpResolvers: Resolvers = {
  Mutation: {
    stepUp: async (_, { input }, { viewer, services, actor }) => {
      const auth = authenticationOf(viewer);
      const proof = chooseProof(input);
      switch (proof.method) {
        case 'password':
          return stepUpPayload(await services.sessions.stepUpWithPassword(auth, proof.value));
        case 'totp':
          await services.totp.verify(auth, proof.value);
          return stepUpPayload(await services.sessions.elevate(auth, 'totp'));
        case 'recoveryCode':
          await services.recoveryCodes.verify(auth, proof.value, actor);
          return stepUpPayload(await services.sessions.elevate(auth, 'recovery_code'));
        case 'passkey':
          return stepUpPayload(await services.passkeys.stepUp(auth, proof.value));
        default:
          return unreachable(proof);
      }
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
