import { unauthenticated } from '../../domain/errors.js';
import { checkId } from '../../domain/input-bounds.js';
import type { Scope } from '../../domain/principals/service-client.js';
import type { ClientScope, Resolvers } from '../__generated__/resolvers-types.js';

/** CUSTOMERS_READ <-> customers:read: the GraphQL enum names the OAuth scope strings. */
export const scopeOf = (value: ClientScope): Scope => value.toLowerCase().replace('_', ':') as Scope;
export const clientScopeOf = (scope: Scope): ClientScope => scope.toUpperCase().replace(':', '_') as ClientScope;

export const principalResolvers: Resolvers = {
  Query: {
    staffMembers: (_, __, { services }) => services.staff.list(),
    serviceClients: (_, __, { services }) => services.clients.list(),
    serviceClient: (_, { id }, { services }) => services.clients.findById(checkId(id, 'id')),
  },
  Mutation: {
    staffSignIn: async (_, { input }, ctx) => {
      const { accessToken, expiresIn, member } = await ctx.services.staff.signIn({ ...input, ip: ctx.request.ip });
      // The rest of this operation may read the member who just signed in (see the isSelfStaff rule).
      ctx.staffSignedInAs = member.id;
      return { accessToken, expiresIn, tokenType: 'Bearer', staffMember: member };
    },
    staffSignOut: async (_, __, { viewer, services }) => {
      if (viewer.role !== 'AGENT' && viewer.role !== 'ADMIN') return false;
      await services.staff.signOut(viewer.staffId);
      return true;
    },
    changeStaffPassword: async (_, { input }, ctx) => {
      if (ctx.viewer.role !== 'AGENT' && ctx.viewer.role !== 'ADMIN') throw unauthenticated('Sign in as staff first.');
      const { accessToken, expiresIn, member } = await ctx.services.staff.changePassword(ctx.viewer.staffId, input.currentPassword, input.newPassword);
      ctx.staffSignedInAs = member.id;
      return { accessToken, expiresIn, tokenType: 'Bearer', staffMember: member };
    },
    resetStaffPassword: (_, { id, newPassword }, { services }) => services.staff.resetPassword(checkId(id, 'id'), newPassword),
    createStaffMember: (_, { input }, { services }) =>
      services.staff.create({ email: input.email, name: input.name, role: input.role, password: input.initialPassword }),
    setStaffRole: (_, { id, role }, { services }) => services.staff.setRole(checkId(id, 'id'), role),
    setStaffEnabled: (_, { id, enabled }, { services }) => services.staff.setEnabled(checkId(id, 'id'), enabled),
    createServiceClient: async (_, { input }, { services }) => {
      const { client, secret } = await services.clients.create({ name: input.name, scopes: input.scopes.map(scopeOf), purposeKey: input.purpose });
      return { client, clientSecret: secret };
    },
    updateServiceClient: (_, { input }, { services }) =>
      services.clients.update(checkId(input.id, 'id'), {
        name: input.name,
        scopes: input.scopes?.map(scopeOf),
        purposeKey: input.purpose,
        clearPurpose: input.clearPurpose ?? false,
      }),
    rotateServiceClientSecret: async (_, { id }, { services }) => {
      const { client, secret } = await services.clients.rotateSecret(checkId(id, 'id'));
      return { client, clientSecret: secret };
    },
    setServiceClientEnabled: (_, { id, enabled }, { services }) => services.clients.setEnabled(checkId(id, 'id'), enabled),
    unlockCustomer: (_, { id }, { services, actor }) => services.passwords.unlock(checkId(id, 'id'), actor),
  },
  StaffMember: {
    enabled: (member) => member.disabledAt === null,
  },
  ServiceClient: {
    scopes: (client) => client.scopes.map(clientScopeOf),
    enabled: (client) => client.disabledAt === null,
    purpose: async (client, _, { services }) =>
      client.purposeKey === null ? null : ((await services.catalog.listPurposes()).find((p) => p.key === client.purposeKey) ?? null),
  },
};
