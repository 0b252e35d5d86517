import { checkId } from '../../domain/input-bounds.js';
import type { SessionTokens } from '../../domain/sessions/session.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import type { GraphQLContext } from '../context.js';
import { clientScopeOf } from './principal.js';

/** What signIn and refresh return before GraphQL resolves the customer. */
export interface SessionPayloadModel {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  customerId: string;
}

/** Lets the rest of this operation read the customer who just authenticated (see the isSelf rule). */
function payload(tokens: SessionTokens, ctx: GraphQLContext): SessionPayloadModel {
  ctx.signedInAs = tokens.session.customerId;
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tokenType: 'Bearer',
    expiresIn: tokens.expiresIn,
    customerId: tokens.session.customerId,
  };
}

export const sessionResolvers: Resolvers = {
  Query: {
    viewer: (_, __, { viewer }) => ({
      role: viewer.role,
      customerId: viewer.role === 'CUSTOMER' ? viewer.customerId : null,
      sessionId: viewer.role === 'CUSTOMER' ? viewer.sessionId : null,
      staffId: viewer.role === 'AGENT' || viewer.role === 'ADMIN' ? viewer.staffId : null,
      clientId: viewer.role === 'SERVICE_CLIENT' ? viewer.clientId : null,
      scopes: viewer.role === 'SERVICE_CLIENT' ? viewer.scopes.map(clientScopeOf) : [],
    }),
    me: (_, __, { viewer, loaders }) => (viewer.role === 'CUSTOMER' ? loaders.customer.load(viewer.customerId) : null),
  },
  Mutation: {
    signIn: async (_, { input }, ctx) =>
      payload(await ctx.services.sessions.signIn({ ...input, userAgent: ctx.request.userAgent, ip: ctx.request.ip }), ctx),
    refresh: async (_, { refreshToken }, ctx) => payload(await ctx.services.sessions.refresh(refreshToken), ctx),
    startRecovery: async (_, { email }, { services, request }) => {
      await services.recovery.start({ email, ip: request.ip });
      return true;
    },
    completeRecovery: async (_, { input }, { services, actor }) => {
      await services.recovery.complete(input, actor);
      return true;
    },
    signOut: async (_, __, { viewer, services }) => {
      if (viewer.role !== 'CUSTOMER') return false;
      await services.sessions.signOut(viewer.sessionId);
      return true;
    },
    revokeSession: async (_, { id }, { viewer, services, loaders }) => {
      if (viewer.role !== 'CUSTOMER' && viewer.role !== 'AGENT' && viewer.role !== 'ADMIN') return false;
      // A customer may end only their own sessions; staff any.
      const ownedBy = viewer.role === 'CUSTOMER' ? viewer.customerId : undefined;
      const customerId = await services.sessions.revoke(checkId(id, 'id'), ownedBy);
      if (customerId) loaders.sessions.clear(customerId);
      return customerId !== null;
    },
    revokeOtherSessions: async (_, __, { viewer, services, loaders }) => {
      if (viewer.role !== 'CUSTOMER') return 0;
      loaders.sessions.clear(viewer.customerId);
      return services.sessions.revokeOthers(viewer.customerId, viewer.sessionId);
    },
  },
  Customer: {
    sessions: (customer, _, { loaders }) => loaders.sessions.load(customer.id),
  },
  Session: {
    authenticatedAt: (session) => session.authTime,
    authenticationMethods: (session) => session.amr,
    current: (session, _, { viewer }) => viewer.role === 'CUSTOMER' && viewer.sessionId === session.id,
  },
  SessionPayload: {
    customer: async (parent, _, { loaders }) => {
      const customer = await loaders.customer.load(parent.customerId);
      if (!customer) throw new Error(`session customer ${parent.customerId} not found`);
      return customer;
    },
  },
};
